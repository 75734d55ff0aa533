//! Print the catalog of an image as JSON lines: `cargo run --example catalog -- IMAGE`.
#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = std::env::args().nth(1).ok_or("usage: catalog IMAGE")?;
    let image = vigie_image::open(&target)?;
    let view = image.view(&vigie_catalog::view_options())?;
    let catalog = vigie_catalog::catalog(&view);
    println!("{}", serde_json::to_string(&catalog.os)?);
    for p in &catalog.packages {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            p.ecosystem.as_str(),
            p.name,
            p.version,
            p.found_in,
            p.layer.as_deref().unwrap_or("-")
        );
    }
    for w in &catalog.warnings {
        println!("warning: {w}");
    }
    Ok(())
}
