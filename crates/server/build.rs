//! The web client is embedded into the binary; it must have been built.
fn main() {
    // Read at run time: a build script compiled for another checkout that
    // shares this target directory must still look at this one.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dist = std::path::Path::new(&manifest).join("../../web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.join("index.html").exists() {
        panic!(
            "\n\nThe web client is not built: {} is missing.\n\
             Build it first: (cd web && npm ci && npm run build)\n\
             or use scripts/serve.sh, which does everything.\n\n",
            dist.join("index.html").display()
        );
    }
}
