//! The OpenAPI document, as clients download it (a snapshot: every change to the API's
//! description is a reviewed diff).

#[test]
fn the_openapi_document() {
    insta::assert_json_snapshot!("openapi", loopdesk_server::openapi::build());
}
