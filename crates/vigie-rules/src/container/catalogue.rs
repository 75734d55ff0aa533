//! Every container rule (VGI-CTR-*), ids stable and never reused. Each rule's
//! constant lives beside its check, in the module of its concern; this
//! module re-exports them all. CIS ids are those of the CIS Docker Benchmark
//! v1.6.0 (section 5 container runtime, section 4 images).

pub use super::capabilities::*;
pub use super::lifecycle::*;
pub use super::mounts::*;
pub use super::namespaces::*;
pub use super::network::*;
pub use super::processes::*;
pub use super::resources::*;
pub use super::security::*;
pub use super::user::*;
