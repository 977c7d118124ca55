// The migrations are embedded in the binary: a migration added, removed or
// edited must rebuild it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
