#![no_main]
// Compose files and Kubernetes manifests, from any repository or `helm template`:
// the YAML reader (aliases, merge keys, limits), the Kubernetes and Compose
// readers (interpolation, extends, merge), the Pod Security Standards and every
// rule on what they declare. None may panic; errors are values.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = vigie_manifest::yaml::load_all(&text);
    if let Ok(file) = vigie_manifest::k8s::read("fuzz.yaml", &text) {
        for d in &file.declared {
            let _ = vigie_manifest::audit_declared(d);
        }
    }
    // A second file merged over the first, as `-f a -f b`, with no directory to read.
    let mut mid = text.len() / 2;
    while !text.is_char_boundary(mid) {
        mid -= 1;
    }
    let (a, b) = text.split_at(mid);
    let options = vigie_manifest::compose::Options {
        files: vec![("/nonexistent/compose.yaml".into(), a.to_string()), ("/nonexistent/override.yaml".into(), b.to_string())],
        project_dir: Some("/nonexistent".into()),
        ..Default::default()
    };
    if let Ok(project) = vigie_manifest::compose::load(&options) {
        for d in &project.declared {
            let _ = vigie_manifest::audit_declared(d);
        }
    }
    let one = vigie_manifest::compose::Options {
        files: vec![("/nonexistent/compose.yaml".into(), text.to_string())],
        project_dir: Some("/nonexistent".into()),
        ..Default::default()
    };
    let _ = vigie_manifest::compose::load(&one);
});
