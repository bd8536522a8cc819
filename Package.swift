// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dibao",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dibao", targets: ["dibao"]),
        .library(name: "DibaoCore", targets: ["DibaoCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Policy versions and holiday calendars are TOML files an office reads and signs off (issue 15).
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // The rules themselves: pure Swift, no web, no database.
        .target(name: "DibaoCore", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        // The application: storage, access, pages, API and commands around the core.
        .target(
            name: "Dibao",
            dependencies: [
                "DibaoCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(name: "dibao", dependencies: ["Dibao"]),
        .testTarget(name: "DibaoCoreTests", dependencies: ["DibaoCore"]),
        .testTarget(
            name: "DibaoTests",
            dependencies: [
                "Dibao",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
