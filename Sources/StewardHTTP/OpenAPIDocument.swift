/// The OpenAPI 3.1 document of `/api/v1` (`Resources/openapi.json`), served at
/// `/api/v1/openapi.json`. A test checks that it lists exactly the routes the router has;
/// schemathesis checks the answers against it.
enum OpenAPIDocument {
    static let json = EmbeddedResources.named["openapi.json"]!
}
