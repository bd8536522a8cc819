// A chosen file is read into the textarea it names (data-fill), so the administrator sees
// what will be loaded before sending it; nothing leaves the browser until the form is sent.
document.querySelectorAll('input[type=file][data-fill]').forEach(function (input) {
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    var target = document.getElementById(input.getAttribute('data-fill'));
    if (!file || !target) return;
    var reader = new FileReader();
    reader.onload = function () { target.value = reader.result; };
    reader.readAsText(file, 'utf-8');
  });
});
