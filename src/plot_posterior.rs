//! Charts of a posterior (`exodus calibrate --method abc-smc`), as SVG and
//! PNG in the style of [`crate::plot`]:
//!
//! - `posterior_marginals`: per parameter, the weighted histogram of the
//!   particles over its prior range, with the weighted median marked;
//! - `posterior_pairs`: the scatter matrix, each pair of parameters plotted
//!   against each other (a point a particle, darker for a larger weight),
//!   the weighted histograms on the diagonal. Correlated pairs are the
//!   trade-offs the targets cannot separate.
//!
//! Both are drawn in unit coordinates (linear in the value, or in its
//! logarithm on a `log` scale), the axes labelled with values. This module
//! takes plain numbers, so that it depends on nothing of the calibration.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::format::format_float;
use crate::output::write_atomic;
use crate::plot::{PlotError, encode_png, register_font};

/// Bins of a histogram.
const BINS: usize = 20;
/// Pixels a panel of the scatter matrix is wide.
const PANEL: u32 = 220;

/// One parameter's axis: its name and how a unit coordinate maps to a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The parameter's path.
    pub name: String,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// A log scale.
    pub log: bool,
}

impl Axis {
    fn value(&self, z: f64) -> f64 {
        if self.log {
            (self.lower.ln() + z * (self.upper.ln() - self.lower.ln())).exp()
        } else {
            self.lower + z * (self.upper - self.lower)
        }
    }
}

/// A weighted sample: per particle, its unit coordinates and weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The parameters' axes.
    pub axes: Vec<Axis>,
    /// Per particle, unit coordinates in axis order.
    pub z: Vec<Vec<f64>>,
    /// Per particle, its weight (summing to 1).
    pub weights: Vec<f64>,
}

/// Draws both charts into `dir`; returns the files.
pub fn posterior_charts(dir: &Path, sample: &Sample) -> Result<Vec<PathBuf>, PlotError> {
    let n = sample.axes.len().max(1) as u32;
    let cols = (f64::from(n).sqrt().ceil() as u32).max(1);
    let rows = n.div_ceil(cols);
    let mut files = draw_both(
        dir,
        "posterior_marginals",
        (cols * 360, rows * 260 + 50),
        &|a| marginals(a, sample, (rows as usize, cols as usize)),
        &|a| marginals(a, sample, (rows as usize, cols as usize)),
    )?;
    let side = (n * PANEL).min(4000) + 50;
    files.extend(draw_both(
        dir,
        "posterior_pairs",
        (side, side),
        &|a| pairs(a, sample),
        &|a| pairs(a, sample),
    )?);
    Ok(files)
}

type Svg<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Png<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Draws one chart on both backends as `<stem>.svg` and `<stem>.png`.
fn draw_both(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    svg_render: &dyn Fn(&Svg<'_>) -> Result<(), String>,
    png_render: &dyn Fn(&Png<'_>) -> Result<(), String>,
) -> Result<Vec<PathBuf>, PlotError> {
    register_font();
    let svg_path = dir.join(format!("{stem}.svg"));
    let png_path = dir.join(format!("{stem}.png"));
    let fail = |path: &Path| {
        let path = path.to_owned();
        move |message: String| PlotError::Draw { path, message }
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        svg_render(&root).map_err(fail(&svg_path))?;
        root.present().map_err(|e| fail(&svg_path)(e.to_string()))?;
    }
    write_atomic(&svg_path, svg.as_bytes())?;
    let mut pixels = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        png_render(&root).map_err(fail(&png_path))?;
        root.present().map_err(|e| fail(&png_path)(e.to_string()))?;
    }
    let png = encode_png(&pixels, size).map_err(fail(&png_path))?;
    write_atomic(&png_path, &png)?;
    Ok(vec![svg_path, png_path])
}

/// The weighted histogram of coordinate `i`: `BINS` shares over [0, 1].
fn histogram(sample: &Sample, i: usize) -> Vec<f64> {
    let mut bins = vec![0.0; BINS];
    for (z, w) in sample.z.iter().zip(&sample.weights) {
        let b = ((z[i] * BINS as f64).floor() as usize).min(BINS - 1);
        bins[b] += w;
    }
    bins
}

/// The weighted median of coordinate `i`.
fn median(sample: &Sample, i: usize) -> f64 {
    let mut pairs: Vec<(f64, f64)> = sample
        .z
        .iter()
        .zip(&sample.weights)
        .map(|(z, &w)| (z[i], w))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut cum = 0.0;
    for (z, w) in &pairs {
        cum += w;
        if cum >= total / 2.0 {
            return *z;
        }
    }
    0.5
}

fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    sample: &Sample,
    i: usize,
    caption: Option<&str>,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let axis = &sample.axes[i];
    let bins = histogram(sample, i);
    let top = bins.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.1;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(40);
    if let Some(c) = caption {
        builder.caption(c, ("sans-serif", 15));
    }
    let mut ctx = builder.build_cartesian_2d(0.0..1.0, 0.0..top).map_err(e)?;
    ctx.configure_mesh()
        .x_labels(4)
        .y_labels(3)
        .x_label_formatter(&|z| format_float(axis.value(*z)))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .label_style(("sans-serif", 11))
        .disable_mesh()
        .draw()
        .map_err(e)?;
    let color = Palette99::pick(0).to_rgba();
    ctx.draw_series(bins.iter().enumerate().map(|(b, &h)| {
        let x0 = b as f64 / BINS as f64;
        Rectangle::new(
            [(x0, 0.0), (x0 + 1.0 / BINS as f64, h)],
            color.mix(0.6).filled(),
        )
    }))
    .map_err(e)?;
    let m = median(sample, i);
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(m, 0.0), (m, top)],
        BLACK.stroke_width(2),
    )))
    .map_err(e)?;
    Ok(())
}

fn marginals<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sample: &Sample,
    grid: (usize, usize),
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let root = root
        .titled(
            "Posterior marginals (weighted; the line is the median)",
            ("sans-serif", 22),
        )
        .map_err(e)?;
    for (i, area) in root.split_evenly(grid).iter().enumerate() {
        if i < sample.axes.len() {
            draw_histogram(area, sample, i, Some(&sample.axes[i].name))?;
        }
    }
    Ok(())
}

fn pairs<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, sample: &Sample) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let root = root
        .titled(
            "Posterior: pairs of parameters (unit coordinates; darker = heavier)",
            ("sans-serif", 22),
        )
        .map_err(e)?;
    let n = sample.axes.len();
    let top = sample
        .weights
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(1e-12);
    for (k, area) in root.split_evenly((n, n)).iter().enumerate() {
        let (row, col) = (k / n, k % n);
        if row == col {
            let caption = sample.axes[row].name.clone();
            draw_histogram(area, sample, row, Some(&caption))?;
            continue;
        }
        let mut ctx = ChartBuilder::on(area)
            .margin(6)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(e)?;
        ctx.configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .draw()
            .map_err(e)?;
        ctx.draw_series(sample.z.iter().zip(&sample.weights).map(|(z, w)| {
            let alpha = 0.15 + 0.85 * (w / top);
            Circle::new((z[col], z[row]), 2, BLUE.mix(alpha).filled())
        }))
        .map_err(e)?;
    }
    Ok(())
}
