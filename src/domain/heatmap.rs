//! The topic × scope matrix as an SVG heat map a portal can put in an
//! `<img>`: the overview's counts, or a country's participation. Every
//! cell carries its number as text, so the colour is never the only way to
//! read it; the image has a title and a description (`role="img"`,
//! `aria-labelledby`), and each cell a title of its own in words.

use std::fmt::Write;

use super::display_language::DisplayLanguage;
use super::enums::Scope;
use super::graph::escape;
use super::overview::Overview;
use super::participation::Participation;
use super::topics::Bilingual;

pub const MEDIA_TYPE: &str = "image/svg+xml";

const LABEL_WIDTH: u32 = 320;
const CELL_WIDTH: u32 = 130;
const ROW_HEIGHT: u32 = 28;
const TOP: u32 = 96;
const MARGIN: u32 = 16;

struct Cell {
    text: String,
    /// 0..1, how dark.
    shade: f64,
    /// The cell in words, for screen readers and tooltips.
    spoken: String,
}

struct Row {
    label: String,
    narrower: bool,
    cells: Vec<Cell>,
}

struct Grid {
    title: String,
    description: String,
    columns: [String; 3],
    rows: Vec<Row>,
    legend: String,
}

fn pick(language: DisplayLanguage, en: &str, nl: &str) -> String {
    match language {
        DisplayLanguage::En => en.to_owned(),
        DisplayLanguage::Nl => nl.to_owned(),
    }
}

fn label(language: DisplayLanguage, text: &Bilingual) -> String {
    match language {
        DisplayLanguage::En => text.en.clone(),
        DisplayLanguage::Nl => text.nl.clone(),
    }
}

fn scope_name(language: DisplayLanguage, scope: Scope) -> String {
    match scope {
        Scope::National => pick(language, "National", "Nationaal"),
        Scope::European => pick(language, "European", "Europees"),
        Scope::International => pick(language, "International", "Internationaal"),
    }
}

const SCOPES: [Scope; 3] = [Scope::National, Scope::European, Scope::International];

/// The overview's topic × scope matrix; darker is more initiatives.
pub fn overview(overview: &Overview, language: DisplayLanguage) -> String {
    let matrix = &overview.initiatives.by_topic_and_scope;
    let most = matrix
        .iter()
        .flat_map(|row| {
            [
                row.scopes.national,
                row.scopes.european,
                row.scopes.international,
            ]
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let rows = matrix
        .iter()
        .map(|row| {
            let topic = label(language, &row.topic.label);
            let counts = [
                row.scopes.national,
                row.scopes.european,
                row.scopes.international,
            ];
            Row {
                narrower: row.parent.is_some(),
                cells: SCOPES
                    .iter()
                    .zip(counts)
                    .map(|(scope, count)| Cell {
                        text: count.to_string(),
                        shade: count as f64 / most as f64,
                        spoken: format!(
                            "{topic}, {}: {count} {}",
                            scope_name(language, *scope).to_lowercase(),
                            match (language, count) {
                                (DisplayLanguage::En, 1) => "initiative",
                                (DisplayLanguage::En, _) => "initiatives",
                                (DisplayLanguage::Nl, 1) => "initiatief",
                                (DisplayLanguage::Nl, _) => "initiatieven",
                            }
                        ),
                    })
                    .collect(),
                label: topic,
            }
        })
        .collect();
    let total = overview.initiatives.total;
    svg(&Grid {
        title: pick(
            language,
            "Initiatives on AI in medical devices per topic and scope",
            "Initiatieven over AI in medische hulpmiddelen per thema en reikwijdte",
        ),
        description: match language {
            DisplayLanguage::En => format!(
                "{total} initiatives: {} national, {} European, {} international. \
                 Each cell counts the initiatives on a topic (narrower topics included) \
                 with that scope; darker cells count more.",
                overview.initiatives.by_scope.national,
                overview.initiatives.by_scope.european,
                overview.initiatives.by_scope.international
            ),
            DisplayLanguage::Nl => format!(
                "{total} initiatieven: {} nationaal, {} Europees, {} internationaal. \
                 Elke cel telt de initiatieven over een thema (smallere thema's inbegrepen) \
                 met die reikwijdte; donkerder cellen tellen meer.",
                overview.initiatives.by_scope.national,
                overview.initiatives.by_scope.european,
                overview.initiatives.by_scope.international
            ),
        },
        columns: SCOPES.map(|scope| scope_name(language, scope)),
        rows,
        legend: pick(
            language,
            "Number of initiatives; darker is more.",
            "Aantal initiatieven; donkerder is meer.",
        ),
    })
}

/// A country's participation per topic × scope: each cell "with / all";
/// darker is a larger share with a participant from the country.
pub fn participation(participation: &Participation, language: DisplayLanguage) -> String {
    let country = &participation.country;
    let rows = participation
        .by_topic_and_scope
        .iter()
        .map(|row| {
            let topic = label(language, &row.topic.label);
            Row {
                narrower: row.parent.is_some(),
                cells: row
                    .scopes
                    .in_order()
                    .into_iter()
                    .map(|(scope, cell)| {
                        let share = if cell.initiatives > 0 {
                            cell.with_participant as f64 / cell.initiatives as f64
                        } else {
                            0.0
                        };
                        Cell {
                            text: if cell.initiatives == 0 {
                                "–".to_owned()
                            } else {
                                format!("{} / {}", cell.with_participant, cell.initiatives)
                            },
                            shade: share,
                            spoken: match language {
                                DisplayLanguage::En => format!(
                                    "{topic}, {}: {} of {} initiatives with a participant from {country}",
                                    scope_name(language, scope).to_lowercase(),
                                    cell.with_participant,
                                    cell.initiatives
                                ),
                                DisplayLanguage::Nl => format!(
                                    "{topic}, {}: {} van {} initiatieven met een deelnemer uit {country}",
                                    scope_name(language, scope).to_lowercase(),
                                    cell.with_participant,
                                    cell.initiatives
                                ),
                            },
                        }
                    })
                    .collect(),
                label: topic,
            }
        })
        .collect();
    let total = participation.total;
    svg(&Grid {
        title: match language {
            DisplayLanguage::En => format!("Participation from {country} per topic and scope"),
            DisplayLanguage::Nl => format!("Deelname vanuit {country} per thema en reikwijdte"),
        },
        description: match language {
            DisplayLanguage::En => format!(
                "{} of {} initiatives have a participant (an organisation or an expert) from \
                 {country}. Each cell shows initiatives with such a participant / all \
                 initiatives on a topic with that scope; darker cells have a larger share.",
                total.with_participant, total.initiatives
            ),
            DisplayLanguage::Nl => format!(
                "{} van {} initiatieven hebben een deelnemer (een organisatie of een expert) \
                 uit {country}. Elke cel toont initiatieven met zo'n deelnemer / alle \
                 initiatieven over een thema met die reikwijdte; donkerder cellen hebben \
                 een groter aandeel.",
                total.with_participant, total.initiatives
            ),
        },
        columns: SCOPES.map(|scope| scope_name(language, scope)),
        rows,
        legend: match language {
            DisplayLanguage::En => {
                format!("With a participant from {country} / all; darker is a larger share.")
            }
            DisplayLanguage::Nl => {
                format!("Met een deelnemer uit {country} / alle; donkerder is een groter aandeel.")
            }
        },
    })
}

/// A colour from light to dark blue for `shade` in 0..1.
fn fill(shade: f64) -> String {
    const STOPS: [(f64, [f64; 3]); 3] = [
        (0.0, [247.0, 251.0, 255.0]),
        (0.5, [107.0, 174.0, 214.0]),
        (1.0, [8.0, 48.0, 107.0]),
    ];
    let shade = shade.clamp(0.0, 1.0);
    let (from, to) = if shade <= 0.5 {
        (STOPS[0], STOPS[1])
    } else {
        (STOPS[1], STOPS[2])
    };
    let t = (shade - from.0) / (to.0 - from.0);
    let mix = |i: usize| (from.1[i] + (to.1[i] - from.1[i]) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2))
}

fn svg(grid: &Grid) -> String {
    let width = MARGIN * 2 + LABEL_WIDTH + CELL_WIDTH * 3;
    let rows = u32::try_from(grid.rows.len()).unwrap_or(u32::MAX);
    let height = TOP + rows * ROW_HEIGHT + 48;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"heatmap-title heatmap-desc\" \
         font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n\
         <title id=\"heatmap-title\">{}</title>\n<desc id=\"heatmap-desc\">{}</desc>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         <text x=\"{MARGIN}\" y=\"30\" font-size=\"17\" font-weight=\"bold\" fill=\"#111111\">{}</text>\n",
        escape(&grid.title),
        escape(&grid.description),
        escape(&grid.title)
    );
    for (index, name) in grid.columns.iter().enumerate() {
        let x = MARGIN + LABEL_WIDTH + CELL_WIDTH * index as u32 + CELL_WIDTH / 2;
        let _ = writeln!(
            out,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"#111111\">{}</text>",
            TOP - 12,
            escape(name)
        );
    }
    for (index, row) in grid.rows.iter().enumerate() {
        let y = TOP + ROW_HEIGHT * index as u32;
        let indent = if row.narrower { 18 } else { 0 };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"#111111\"{}>{}</text>",
            MARGIN + indent,
            y + ROW_HEIGHT / 2 + 5,
            if row.narrower {
                ""
            } else {
                " font-weight=\"bold\""
            },
            escape(&row.label)
        );
        for (column, cell) in row.cells.iter().enumerate() {
            let x = MARGIN + LABEL_WIDTH + CELL_WIDTH * column as u32;
            let ink = if cell.shade > 0.55 {
                "#ffffff"
            } else {
                "#111111"
            };
            let _ = writeln!(
                out,
                "<g><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" \
                 fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"2\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\">{}</text></g>",
                escape(&cell.spoken),
                CELL_WIDTH,
                ROW_HEIGHT,
                fill(cell.shade),
                x + CELL_WIDTH / 2,
                y + ROW_HEIGHT / 2 + 5,
                escape(&cell.text)
            );
        }
    }
    let _ = write!(
        out,
        "<text x=\"{MARGIN}\" y=\"{}\" fill=\"#444444\">{}</text>\n</svg>\n",
        TOP + rows * ROW_HEIGHT + 28,
        escape(&grid.legend)
    );
    out
}
