//! Sensitivity indices as horizontal bars: one panel per output, one group
//! of bars per parameter (Sobol's `S1` and `ST`, or Morris's `μ*` and
//! `σ`), each with its 95% interval as a whisker where it has one.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use crate::format::signed_thousands;
use crate::sensitivity::SensitivityRecord;

/// Width of the chart in pixels.
const WIDTH: u32 = 1200;
/// Height of a panel's frame (title and axis) and of each parameter's group.
const FRAME: u32 = 90;
const GROUP: u32 = 36;

/// An index's value and its interval, if it has one.
pub type Bar = (f64, Option<(f64, f64)>);

/// One kind of index across the parameters of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexSeries {
    /// Legend label (`S1`, `ST`, `mu_star`, `sigma`).
    pub name: String,
    /// Per parameter: the value and its interval, if any; `None` where
    /// the output does not vary.
    pub values: Vec<Option<Bar>>,
}

/// The indices of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexPanel {
    /// The output.
    pub title: String,
    /// The parameters, top to bottom.
    pub parameters: Vec<String>,
    /// The indices.
    pub series: Vec<IndexSeries>,
}

/// A chart of sensitivity indices.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexChart {
    /// File stem.
    pub stem: String,
    /// Axis description.
    pub x_label: String,
    /// One panel per output.
    pub panels: Vec<IndexPanel>,
    /// What made the chart, printed under it (the folder's provenance).
    pub caption: String,
}

/// The chart of a `sensitivity.csv`, panels and bars in the file's order.
pub fn sensitivity_chart(rows: &[SensitivityRecord], caption: &str) -> IndexChart {
    let mut panels: Vec<IndexPanel> = Vec::new();
    let mut morris = false;
    for r in rows {
        morris |= r.method == "morris";
        let at = panels.iter().position(|p| p.title == r.output);
        let panel = match at {
            Some(i) => &mut panels[i],
            None => {
                panels.push(IndexPanel {
                    title: r.output.clone(),
                    parameters: Vec::new(),
                    series: Vec::new(),
                });
                let last = panels.len() - 1;
                &mut panels[last]
            }
        };
        let p = match panel.parameters.iter().position(|p| *p == r.parameter) {
            Some(p) => p,
            None => {
                panel.parameters.push(r.parameter.clone());
                panel.parameters.len() - 1
            }
        };
        let s = match panel.series.iter().position(|s| s.name == r.index) {
            Some(s) => s,
            None => {
                panel.series.push(IndexSeries {
                    name: r.index.clone(),
                    values: Vec::new(),
                });
                panel.series.len() - 1
            }
        };
        let series = &mut panel.series[s];
        series.values.resize(p + 1, None);
        let interval = r.low.zip(r.high).map(|(l, h)| (l.0, h.0));
        series.values[p] = r.value.map(|v| (v.0, interval));
    }
    for panel in &mut panels {
        let n = panel.parameters.len();
        for s in &mut panel.series {
            s.values.resize(n, None);
        }
    }
    IndexChart {
        stem: "sensitivity".to_owned(),
        x_label: if morris {
            "μ* and σ of the elementary effects (output per unit range of the parameter)".to_owned()
        } else {
            "Sobol index (share of the output's variance), with 95% bootstrap interval".to_owned()
        },
        panels,
        caption: caption.to_owned(),
    }
}

impl Figure for IndexChart {
    fn stem(&self) -> &str {
        &self.stem
    }

    fn size(&self) -> (u32, u32) {
        let groups = self.panels.first().map_or(1, |p| p.parameters.len().max(1)) as u32;
        let panels = self.panels.len().max(1) as u32;
        (
            WIDTH,
            panels * (FRAME + GROUP * groups) + super::style::CAPTION_HEIGHT,
        )
    }

    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
        root.fill(&WHITE).map_err(e)?;
        let (_, height) = root.dim_in_pixel();
        let (body, foot) =
            root.split_vertically(height.saturating_sub(super::style::CAPTION_HEIGHT));
        let areas = body.split_evenly((self.panels.len().max(1), 1));
        for (panel, area) in self.panels.iter().zip(&areas) {
            render_panel(panel, &self.x_label, area)?;
        }
        super::style::caption(&foot, &self.caption)
    }
}

fn render_panel<DB: DrawingBackend>(
    panel: &IndexPanel,
    x_label: &str,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let n = panel.parameters.len();
    let ends = panel
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .flat_map(|(v, i)| [Some(*v), i.map(|i| i.0), i.map(|i| i.1)])
        .flatten();
    let (low, high) = ends.fold((0.0f64, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
    let span = (high - low).max(1e-9);
    // Room on the right for the legend (drawn where there are two kinds of
    // bar), so that it covers no bar or whisker.
    let right = if panel.series.len() > 1 { 0.22 } else { 0.06 };
    let x_range = (low - 0.04 * span)..(high + right * span);
    let top = n as f64 - 0.5;
    let mut ctx = ChartBuilder::on(area)
        .caption(
            &panel.title,
            (
                "sans-serif",
                super::style::title_size(area, &panel.title, 20),
            ),
        )
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(290)
        .build_cartesian_2d(x_range, -0.5..top)
        .map_err(e)?;
    let names = panel.parameters.clone();
    // Parameter g sits at y = n − 1 − g, the first on top.
    let label = move |y: &f64| {
        let g = (n as f64 - 1.0 - y).round();
        if (n as f64 - 1.0 - y - g).abs() < 0.01 && g >= 0.0 {
            names.get(g as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let small = span < 10.0;
    ctx.configure_mesh()
        .disable_y_mesh()
        .x_desc(x_label)
        .y_labels(2 * n + 2)
        .y_label_formatter(&label)
        .x_label_formatter(&|x| {
            if small {
                format!("{x:.2}")
            } else {
                signed_thousands(*x)
            }
        })
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()
        .map_err(e)?;
    let k = panel.series.len().max(1) as f64;
    let thickness = 0.7 / k;
    for (s, series) in panel.series.iter().enumerate() {
        let color = super::style::colour(s);
        let offset = (k - 1.0) / 2.0 - s as f64;
        let centre = |g: usize| n as f64 - 1.0 - g as f64 + offset * thickness;
        let bars = series.values.iter().enumerate().filter_map(|(g, v)| {
            v.map(|(v, _)| {
                let y = centre(g);
                Rectangle::new(
                    [(0.0, y - thickness * 0.45), (v, y + thickness * 0.45)],
                    color.mix(0.75).filled(),
                )
            })
        });
        ctx.draw_series(bars)
            .map_err(e)?
            .label(series.name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], color.filled()));
        let whiskers = series.values.iter().enumerate().filter_map(|(g, v)| {
            v.and_then(|(_, i)| i).map(|(l, h)| {
                let y = centre(g);
                PathElement::new(vec![(l, y), (h, y)], BLACK.stroke_width(2))
            })
        });
        ctx.draw_series(whiskers).map_err(e)?;
    }
    // One kind of bar needs no legend: the axis says what it is.
    if panel.series.len() > 1 {
        ctx.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(e)?;
    }
    Ok(())
}
