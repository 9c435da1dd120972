// `sqlx::migrate!` embeds the migration files at compile time, but on stable Rust cargo does
// not see them as inputs: without this a new migration would not reach the binary until
// some other file of this crate changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
