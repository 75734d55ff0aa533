//! The one list of container-engine sockets: what `audit` flags when a
//! container bind-mounts one (or a directory holding one) and what `inside`
//! looks for in the container's filesystem.

/// Sockets of every container engine, in their usual places.
pub const ENGINE_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/var/run/crio/crio.sock",
    "/run/podman/podman.sock",
    "/var/run/podman/podman.sock",
    "/var/run/dockershim.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/buildkit/buildkitd.sock",
];

/// File names of engine sockets, wherever they sit.
pub const ENGINE_SOCKET_NAMES: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "podman.sock",
    "dockershim.sock",
    "cri-dockerd.sock",
    "buildkitd.sock",
];

/// Directories that contain an engine socket: mounting one exposes the socket too.
pub const SOCKET_DIRS: &[&str] = &[
    "/",
    "/run",
    "/var/run",
    "/run/containerd",
    "/var/run/containerd",
    "/run/crio",
    "/var/run/crio",
    "/run/podman",
    "/var/run/podman",
    "/run/docker",
    "/var/run/docker",
    "/run/k3s",
    "/run/buildkit",
];

/// The path is an engine socket by place or by name (rootless engines keep
/// theirs under `/run/user/UID/`).
pub fn is_engine_socket_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    ENGINE_SOCKETS.contains(&path)
        || ENGINE_SOCKET_NAMES.contains(&name)
        || (path.starts_with("/run/user/") && name.ends_with(".sock"))
}

/// A host path whose bind mount exposes an engine socket: the socket itself
/// or a directory that holds one.
pub fn exposes_engine_socket(path: &str) -> bool {
    is_engine_socket_file(path) || SOCKET_DIRS.contains(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_by_place_name_and_directory() {
        assert!(is_engine_socket_file("/var/run/docker.sock"));
        assert!(is_engine_socket_file("/srv/ci/docker.sock"));
        assert!(is_engine_socket_file("/run/user/1000/podman/podman.sock"));
        assert!(!is_engine_socket_file("/run"));
        assert!(exposes_engine_socket("/run"));
        assert!(exposes_engine_socket("/"));
        assert!(!exposes_engine_socket("/srv/data"));
        assert!(!exposes_engine_socket("/var/lib/mysql/mysql.sock"));
    }
}
