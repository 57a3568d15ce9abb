//! The look shared by the charts: a categorical palette strong enough to
//! tell twenty lines apart, one marker shape per group of reported figures
//! (in the colour of its place's line), the legend in a column of its own
//! beside the plot, and the caption under it that says what made the chart.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Width of the legend's column, in pixels.
pub(super) const LEGEND_WIDTH: u32 = 310;

/// Height of the caption's strip under the chart, in pixels.
pub(super) const CAPTION_HEIGHT: u32 = 26;

/// The largest font size, up to `size`, at which `title` fits across
/// `area` (less a margin on each side): a long title is set smaller, never
/// clipped at the edges.
pub(super) fn title_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    size: u32,
) -> u32 {
    let room = area.dim_in_pixel().0.saturating_sub(24);
    let mut at = size;
    while at > 8 {
        match area.estimate_text_size(title, &("sans-serif", at).into_text_style(area)) {
            Ok((width, _)) if width > room => at -= 1,
            _ => return at,
        }
    }
    at
}

/// Tableau's twenty colours (the strong ten, then their light pairs): no
/// pastel among the first ten.
const PALETTE: [(u8, u8, u8); 20] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (174, 199, 232),
    (255, 187, 120),
    (152, 223, 138),
    (255, 152, 150),
    (197, 176, 213),
    (196, 156, 148),
    (247, 182, 210),
    (199, 199, 199),
    (219, 219, 141),
    (158, 218, 229),
];

/// The colour of series `i`.
pub(super) fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// A marker shape, one per group of reported figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A filled circle.
    Circle,
    /// A filled triangle.
    Triangle,
    /// A filled square.
    Square,
    /// A cross.
    Cross,
}

impl Shape {
    /// The shape of group `i`.
    pub(super) fn of(i: usize) -> Self {
        [Shape::Circle, Shape::Triangle, Shape::Square, Shape::Cross][i % 4]
    }
}

/// Draws `shape` centred at the pixel `(x, y)` of `area`.
pub(super) fn draw_shape<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Shape,
    (x, y): (i32, i32),
    size: i32,
    colour: RGBColor,
) -> Result<(), String> {
    let style = colour.filled();
    let drawn = match shape {
        Shape::Circle => area.draw(&Circle::new((x, y), size, style)),
        Shape::Triangle => area.draw(&Polygon::new(
            vec![(x, y - size), (x - size, y + size), (x + size, y + size)],
            style,
        )),
        Shape::Square => area.draw(&Rectangle::new(
            [(x - size, y - size), (x + size, y + size)],
            style,
        )),
        Shape::Cross => area.draw(&Cross::new((x, y), size, colour.stroke_width(3))),
    };
    drawn.map_err(|e| e.to_string())
}

/// What a legend entry shows beside its label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Key {
    /// A line of this colour and width, with a band behind it if `band`.
    Line {
        /// Its colour.
        colour: RGBColor,
        /// Its width.
        width: u32,
        /// Whether a band goes with it.
        band: bool,
    },
    /// A marker.
    Marker {
        /// Its shape.
        shape: Shape,
        /// Its colour.
        colour: RGBColor,
    },
}

/// Most characters of a legend label's line (a longer label wraps at a
/// space onto a second line; only a word longer than that is cut with `…`).
const LABEL_CHARS: usize = 40;

/// A legend label as its lines: one, or two where it is long (wrapped at
/// the last space that fits), each at most [`LABEL_CHARS`] characters.
fn label_lines(label: &str) -> Vec<String> {
    let cut = |text: &str| -> String {
        if text.chars().count() > LABEL_CHARS {
            let kept: String = text.chars().take(LABEL_CHARS - 1).collect();
            format!("{kept}…")
        } else {
            text.to_owned()
        }
    };
    if label.chars().count() <= LABEL_CHARS {
        return vec![label.to_owned()];
    }
    let head: String = label.chars().take(LABEL_CHARS + 1).collect();
    match head.rfind(' ') {
        Some(at) if at > 0 => vec![label[..at].to_owned(), cut(label[at..].trim_start())],
        _ => vec![cut(label)],
    }
}

/// Draws the legend, top to bottom, in its own column `area`: as many
/// entries as its height holds, then how many more there are, so that
/// nothing is cut off at the bottom.
pub(super) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Key, String)],
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let font = ("sans-serif", 14).into_font().color(&BLACK);
    let step = 21;
    let (_, height) = area.dim_in_pixel();
    // Lines the column holds below its top margin, one kept for "… and N more".
    let room = ((i64::from(height) - 60) / i64::from(step)).max(1) as usize;
    let mut line = 0usize;
    let mut shown = 0usize;
    for (key, label) in entries {
        let lines = label_lines(label);
        let last_entry = shown + 1 == entries.len();
        let needed = lines.len() + usize::from(!last_entry);
        if line + needed > room {
            break;
        }
        let y = 60 + step * line as i32;
        match *key {
            Key::Line {
                colour,
                width,
                band,
            } => {
                if band {
                    area.draw(&Rectangle::new(
                        [(8, y - 7), (38, y + 7)],
                        colour.mix(0.25).filled(),
                    ))
                    .map_err(e)?;
                }
                area.draw(&PathElement::new(
                    vec![(8, y), (38, y)],
                    colour.stroke_width(width),
                ))
                .map_err(e)?;
            }
            Key::Marker { shape, colour } => draw_shape(area, shape, (23, y), 5, colour)?,
        }
        for (k, text) in lines.into_iter().enumerate() {
            let y = 60 + step * (line + k) as i32;
            area.draw(&Text::new(text, (46, y - 8), font.clone()))
                .map_err(e)?;
        }
        line += needed - usize::from(!last_entry);
        shown += 1;
    }
    if entries.len() > shown {
        let more = format!("… and {} more", entries.len() - shown);
        let y = 60 + step * line as i32;
        area.draw(&Text::new(more, (46, y - 8), font)).map_err(e)?;
    }
    Ok(())
}

/// Draws `caption` in the strip `area` under a chart, in grey.
pub(super) fn caption<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
) -> Result<(), String> {
    if caption.is_empty() {
        return Ok(());
    }
    let font = ("sans-serif", 13).into_font().color(&RGBColor(90, 90, 90));
    area.draw(&Text::new(caption.to_owned(), (16, 4), font))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod title_tests {
    use super::*;

    #[test]
    fn a_long_legend_label_wraps_instead_of_being_cut() {
        let label = "reported: Finland+Baltic states entries over the week of 19 September";
        let lines = label_lines(label);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines.join(" "), label);
        assert!(lines.iter().all(|l| l.chars().count() <= LABEL_CHARS));
        assert_eq!(label_lines("Kazakhstan"), ["Kazakhstan"]);
    }

    #[test]
    fn a_long_title_is_set_smaller_to_fit_and_a_short_one_is_not() {
        crate::plot::register_font();
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (600, 400)).into_drawing_area();
        let long = "Daily entries by destination (exodus and ordinary traffic); reported: mean a \
                    day over each window";
        let size = title_size(&root, long, 22);
        assert!(size < 22, "{size}");
        let (width, _) = root
            .estimate_text_size(long, &("sans-serif", size).into_text_style(&root))
            .unwrap();
        assert!(width <= 600 - 24, "{width}");
        assert_eq!(title_size(&root, "Queues", 22), 22);
    }
}
