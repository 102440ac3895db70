//! The response-time chart: an SVG drawn on the server, readable without
//! JavaScript, with its figures in words for screen readers.

use super::checks::CHART_STEP;
use crate::domain::time::Millis;
use crate::domain::Lang;

const W: f64 = 300.0;
const H: f64 = 60.0;

/// The chart of `points` (bucket start, average ms) over the 24 hours before `now`.
pub fn latency_svg(points: &[(Millis, f64)], now: Millis, lang: Lang) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    let from = now - 24 * 3_600_000;
    let max = points.iter().map(|p| p.1).fold(1.0f64, f64::max);
    let top = nice_ceiling(max);
    let avg = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    let x =
        |t: Millis| ((t + CHART_STEP / 2 - from) as f64 / (now - from) as f64 * W).clamp(0.0, W);
    let y = |v: f64| H - (v / top * (H - 4.0)) - 1.0;
    let mut path = String::new();
    let mut last: Option<Millis> = None;
    for (t, v) in points {
        // A gap of more than two steps breaks the line; a lone point is a dash.
        if last.is_some_and(|l| t - l <= 2 * CHART_STEP) {
            path.push_str(&format!("L{:.1} {:.1} ", x(*t), y(*v)));
        } else {
            path.push_str(&format!("M{:.1} {:.1} h2 ", x(*t) - 1.0, y(*v)));
        }
        last = Some(*t);
    }
    let colon = if lang == Lang::Fr { "\u{a0}: " } else { ": " };
    let (title, summary) = match lang {
        Lang::En => (
            "Response time, last 24 hours",
            format!("average {avg:.0} ms, highest {max:.0} ms"),
        ),
        Lang::Fr => (
            "Temps de réponse, dernières 24 heures",
            format!("moyenne {avg:.0}\u{a0}ms, maximum {max:.0}\u{a0}ms"),
        ),
    };
    Some(format!(
        "<svg class=\"latency\" viewBox=\"0 0 {W} {H}\" preserveAspectRatio=\"none\" role=\"img\">\
         <title>{title}{colon}{summary}</title>\
         <line x1=\"0\" y1=\"{:.1}\" x2=\"{W}\" y2=\"{:.1}\" class=\"grid\"/>\
         <path d=\"{}\" class=\"line\" vector-effect=\"non-scaling-stroke\"/></svg>\
         <div class=\"latency-legend muted\"><span>{title}</span><span>{summary} · {top:.0} ms ↑</span></div>",
        y(top),
        y(top),
        path.trim_end()
    ))
}

/// 1, 2 or 5 times a power of ten, at least `v`.
fn nice_ceiling(v: f64) -> f64 {
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_draws_a_line_and_says_its_figures() {
        let now = 1_000 * 86_400_000;
        let points: Vec<(Millis, f64)> = (0..96)
            .map(|i| {
                (
                    now - 24 * 3_600_000 + i * CHART_STEP,
                    40.0 + (i % 3) as f64 * 10.0,
                )
            })
            .collect();
        let svg = latency_svg(&points, now, Lang::En).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("average 50 ms, highest 60 ms"), "{svg}");
        assert_eq!(svg.matches('L').count(), 95);
        let fr = latency_svg(&points, now, Lang::Fr).unwrap();
        assert!(fr.contains("Temps de réponse"));
        assert!(latency_svg(&points[..1], now, Lang::En)
            .unwrap()
            .contains(" h2"));
        assert_eq!(latency_svg(&[], now, Lang::En), None);
        assert_eq!(nice_ceiling(61.0), 100.0);
        assert_eq!(nice_ceiling(150.0), 200.0);
    }
}
