#![no_main]
// The image checks' readers of untrusted files: /etc/passwd and /etc/group
// (the uid a probe observed resolved against them, then the runtime rules),
// and the secret detector on every KEY=VALUE line (ENV, labels, .env files).
// The data is split at the first two NUL bytes: configured USER, passwd, group.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let user = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let passwd = parts.next();
    let group = parts.next();
    let uid = data.first().map_or(0, |b| u32::from(*b));
    let observed = vigie_rules::image::RuntimeIds {
        uid: [uid; 4],
        gid: [uid; 4],
        groups: vec![0, uid, 65534],
    };
    let resolved = vigie_rules::image::resolve_runtime_user(&user, &observed, passwd, group);
    let mut findings = Vec::new();
    vigie_rules::image::check_runtime("fuzz", &resolved, passwd, &mut findings);
    for line in String::from_utf8_lossy(data).lines().take(256) {
        let (name, value) = line.split_once('=').unwrap_or((line, line));
        let _ = vigie_rules::secrets::secret_in_pair(name, value);
        let _ = vigie_rules::secrets::secret_value_kind(value);
        let _ = vigie_rules::secrets::secret_file_kind(name);
    }
});
