//! Reading an image for the image checks (`vigie_rules::image`): the view
//! they need, and open + read + check in one call. The checks themselves
//! (`check_image`, `check_image_runtime` on `Image::subject()` and the view),
//! their catalogue and the runtime user types live in vigie-rules; the
//! catalogue and types are re-exported here at their old paths.

use crate::source::Image;
use crate::view::{ViewOptions, Want};
use vigie_rules::Finding;

pub use vigie_rules::image::{
    RULES, RuntimeIds, RuntimeUser, check_runtime, redact, resolve_runtime_user, secret_value_kind,
};

fn want(path: &str, size: u64, _mode: u32) -> Want {
    if vigie_rules::image::wants_content(path, size) {
        Want::Content
    } else {
        Want::No
    }
}

/// The view the checks need: every entry's metadata, passwd, group and secret-looking files.
pub fn view_options() -> ViewOptions {
    ViewOptions {
        want,
        keep_all_metadata: vigie_rules::image::KEEP_ALL_METADATA,
        keep_entry: Some(vigie_rules::image::keeps_entry),
        ..Default::default()
    }
}

/// Open `target`, read it, and run every check.
pub fn check(target: &str) -> Result<(Image, Vec<Finding>), crate::ImageError> {
    let image = crate::open(target)?;
    let view = image.view(&view_options())?;
    let findings = vigie_rules::image::check_image(&image.subject(), &view);
    Ok((image, findings))
}
