//! The progress bar shown while an image or directory is read.

use anyhow::Context;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Read `image` with `options`, under a progress bar when stderr is a
/// terminal and not `quiet`; an error names `target`.
pub fn read_view(
    image: &vigie_image::Image,
    options: vigie_image::ViewOptions,
    quiet: bool,
    target: &str,
) -> anyhow::Result<vigie_image::FileSystemView> {
    view_with_bar(image, options, quiet).with_context(|| format!("cannot read {target}"))
}

/// Read `image` with `options`, under a progress bar when stderr is a
/// terminal and not `quiet`.
pub fn view_with_bar(
    image: &vigie_image::Image,
    mut options: vigie_image::ViewOptions,
    quiet: bool,
) -> Result<vigie_image::FileSystemView, vigie_image::ImageError> {
    let bar = ProgressBar::for_view(&mut options, image, quiet);
    let view = image.view(&options);
    drop(bar);
    view
}

/// A progress bar on stderr, fed from the reader's counters by a thread; it
/// appears only when the work lasts, and is cleared when dropped.
struct ProgressBar {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressBar {
    /// A bar for reading `image` with `options` when stderr is a terminal and
    /// not `quiet`: drop it when the view is read.
    fn for_view(options: &mut vigie_image::ViewOptions, image: &vigie_image::Image, quiet: bool) -> Option<Self> {
        (!quiet && std::io::stderr().is_terminal()).then(|| {
            let counters = Arc::new(vigie_image::Progress::default());
            options.progress = Some(counters.clone());
            Self::start(counters, image.kind == vigie_image::SourceKind::Dir)
        })
    }

    fn start(counters: Arc<vigie_image::Progress>, walking: bool) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let tick = std::time::Duration::from_millis(100);
            // Short work draws nothing; the tests set the delay to 0 to see the bar.
            let delay_ms: u64 = std::env::var("VIGIE_PROGRESS_DELAY_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(300);
            let mut waited = 0;
            while waited < delay_ms {
                if stopped.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
                waited += 10;
            }
            let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
            let style = if walking {
                indicatif::ProgressStyle::with_template("{spinner} walking {human_pos} entries ({per_sec}) {elapsed}")
            } else {
                indicatif::ProgressStyle::with_template(
                    "{spinner} reading layers {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {elapsed}",
                )
            };
            if let Ok(style) = style {
                bar.set_style(style);
            }
            while !stopped.load(Ordering::Relaxed) {
                let total = counters.total.load(Ordering::Relaxed);
                if total > 0 {
                    bar.set_length(total);
                }
                bar.set_position(counters.done.load(Ordering::Relaxed));
                bar.tick();
                std::thread::sleep(tick);
            }
            bar.finish_and_clear();
        });
        ProgressBar {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
