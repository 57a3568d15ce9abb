//! The chart of a run's regions (`regions_left`): the share of each
//! region's eligible men who were abroad at the end, as horizontal bars
//! sorted from the largest share down.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Figure, style};
use crate::results::RegionOutcome;

/// Width of the chart in pixels.
const WIDTH: u32 = 1200;
/// Height of the frame (title, axis, caption) and of each region's bar.
const FRAME: u32 = 140;
const BAR: u32 = 15;

/// The share of each region's men who left, sorted.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionChart {
    /// File stem.
    pub stem: String,
    /// (region, share of its eligible men abroad at the end), largest first.
    pub bars: Vec<(String, f64)>,
    /// What made the run.
    pub caption: String,
}

/// The chart of a run's regions; regions without eligible men are left out.
pub fn regions_chart(regions: &[RegionOutcome], caption: &str) -> RegionChart {
    let mut bars: Vec<(String, f64)> = regions
        .iter()
        .filter(|r| r.eligible > 0)
        .map(|r| (r.name.clone(), r.left as f64 / r.eligible as f64))
        .collect();
    bars.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    RegionChart {
        stem: "regions_left".to_owned(),
        bars,
        caption: caption.to_owned(),
    }
}

impl Figure for RegionChart {
    fn stem(&self) -> &str {
        &self.stem
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, FRAME + BAR * self.bars.len().max(1) as u32)
    }

    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
        root.fill(&WHITE).map_err(e)?;
        let (_, height) = root.dim_in_pixel();
        let (body, foot) = root.split_vertically(height.saturating_sub(style::CAPTION_HEIGHT));
        let n = self.bars.len().max(1);
        let top = self.bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-6) * 1.05;
        let mut ctx = ChartBuilder::on(&body)
            .caption(
                "Share of each region's eligible men abroad at the end of the run",
                ("sans-serif", 22),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(260)
            .build_cartesian_2d(0.0..top * 100.0, -0.5..n as f64 - 0.5)
            .map_err(e)?;
        ctx.configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("men abroad at the end, % of the region's eligible men")
            .x_label_formatter(&|x| format!("{x:.1}%"))
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(e)?;
        // Each region's name beside its bar, right-aligned on the axis.
        let font = ("sans-serif", 12)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        ctx.draw_series(self.bars.iter().enumerate().map(|(i, (name, _))| {
            let y = n as f64 - 1.0 - i as f64;
            EmptyElement::at((0.0, y)) + Text::new(name.clone(), (-6, 0), font.clone())
        }))
        .map_err(e)?;
        let colour = style::colour(0);
        ctx.draw_series(self.bars.iter().enumerate().map(|(i, (_, share))| {
            let y = n as f64 - 1.0 - i as f64;
            Rectangle::new([(0.0, y - 0.4), (share * 100.0, y + 0.4)], colour.filled())
        }))
        .map_err(e)?;
        style::caption(&foot, &self.caption)
    }
}
