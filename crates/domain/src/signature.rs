//! A signature drawn on screen, kept as vectors rather than an image: small, sharp in the PDF,
//! and hashable. The format is shared with the PDF renderer and the browser — keep it exactly:
//! `{"w":300,"h":100,"strokes":[[[x,y],[x,y],…],…]}`, integer coordinates with
//! `0 ≤ x ≤ w` and `0 ≤ y ≤ h`.

use serde::{Deserialize, Serialize};

use crate::attendance_chain::sha256_hex;

/// Largest JSON accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 100 * 1024;
/// Largest width or height of the drawing area.
pub const MAX_SIDE: i64 = 2000;
pub const MAX_STROKES: usize = 200;
/// Points in all strokes together.
pub const MAX_POINTS: usize = 5000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("La signature est trop volumineuse : effacez-la et signez plus simplement.")]
    TooLarge,
    #[error("La signature n'a pas pu être lue : effacez-la et recommencez.")]
    Malformed,
    #[error("Le cadre de signature a une taille invalide : rechargez la page et recommencez.")]
    BadSize,
    #[error("La signature compte trop de traits : effacez-la et signez plus simplement.")]
    TooManyStrokes,
    #[error("La signature compte trop de points : effacez-la et signez plus simplement.")]
    TooManyPoints,
    #[error("La signature contient un trait vide : effacez-la et recommencez.")]
    EmptyStroke,
    #[error("La signature sort du cadre : effacez-la et tracez-la dans le cadre.")]
    OutOfBounds,
    /// No stroke, or a single dot.
    #[error("La signature est vide : tracez-la dans le cadre.")]
    Empty,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    w: i64,
    h: i64,
    strokes: Vec<Vec<[i64; 2]>>,
}

/// A validated drawing: a `w` × `h` area and its strokes, each a list of points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strokes {
    w: u32,
    h: u32,
    strokes: Vec<Vec<[u32; 2]>>,
}

impl Strokes {
    /// Parses and checks the JSON sent by the browser.
    pub fn parse(json: &str) -> Result<Strokes, SignatureError> {
        if json.len() > MAX_JSON_BYTES {
            return Err(SignatureError::TooLarge);
        }
        let raw: Raw = serde_json::from_str(json).map_err(|_| SignatureError::Malformed)?;
        let side = |n: i64| u32::try_from(n).ok().filter(|n| (1..=MAX_SIDE).contains(&i64::from(*n)));
        let (Some(w), Some(h)) = (side(raw.w), side(raw.h)) else {
            return Err(SignatureError::BadSize);
        };
        if raw.strokes.len() > MAX_STROKES {
            return Err(SignatureError::TooManyStrokes);
        }
        let points: usize = raw.strokes.iter().map(Vec::len).sum();
        if points > MAX_POINTS {
            return Err(SignatureError::TooManyPoints);
        }
        if raw.strokes.iter().any(Vec::is_empty) {
            return Err(SignatureError::EmptyStroke);
        }
        let inside = |v: i64, max: u32| u32::try_from(v).ok().filter(|v| *v <= max);
        let strokes = raw
            .strokes
            .iter()
            .map(|stroke| stroke.iter().map(|[x, y]| Some([inside(*x, w)?, inside(*y, h)?])).collect::<Option<Vec<_>>>())
            .collect::<Option<Vec<_>>>()
            .ok_or(SignatureError::OutOfBounds)?;
        if points < 2 {
            return Err(SignatureError::Empty);
        }
        Ok(Strokes { w, h, strokes })
    }

    pub fn w(&self) -> u32 {
        self.w
    }

    pub fn h(&self) -> u32 {
        self.h
    }

    pub fn strokes(&self) -> &[Vec<[u32; 2]>] {
        &self.strokes
    }

    /// The drawing in the shared format, without spaces: the bytes that are stored and hashed.
    pub fn canonical_json(&self) -> String {
        // Integers and arrays only: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Hex SHA-256 of [`Strokes::canonical_json`], the digest the attendance chain records.
    pub fn sha256(&self) -> String {
        sha256_hex(self.canonical_json().as_bytes())
    }

    /// The `d` attribute of an SVG path in the `0 0 w h` view box. A one-point stroke becomes a
    /// one-unit line, since renderers draw nothing for a zero-length path.
    pub fn to_svg_path(&self) -> String {
        let mut parts = Vec::new();
        for stroke in &self.strokes {
            let [x, y] = stroke[0];
            parts.push(format!("M{x} {y}"));
            if stroke.len() == 1 {
                let x2 = if x < self.w { x + 1 } else { x - 1 };
                parts.push(format!("L{x2} {y}"));
            }
            parts.extend(stroke[1..].iter().map(|[x, y]| format!("L{x} {y}")));
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_drawing_parses_and_renders() {
        let s = Strokes::parse(r#"{ "w": 300, "h": 100, "strokes": [[[10, 20], [30, 40], [50, 45]], [[300, 100]]] }"#).unwrap();
        assert_eq!((s.w(), s.h(), s.strokes().len()), (300, 100, 2));
        assert_eq!(s.canonical_json(), r#"{"w":300,"h":100,"strokes":[[[10,20],[30,40],[50,45]],[[300,100]]]}"#);
        assert_eq!(s.to_svg_path(), "M10 20 L30 40 L50 45 M300 100 L299 100");
        assert_eq!(s.sha256(), sha256_hex(s.canonical_json().as_bytes()));
    }

    #[test]
    fn bad_drawings_are_refused_in_french() {
        let cases = [
            (r#"{"w":300,"h":100,"strokes":[]}"#, SignatureError::Empty),
            (r#"{"w":300,"h":100,"strokes":[[[5,5]]]}"#, SignatureError::Empty),
            (r#"{"w":300,"h":100,"strokes":[[[5,5],[6,6]],[]]}"#, SignatureError::EmptyStroke),
            (r#"{"w":300,"h":100,"strokes":[[[5,5],[301,6]]]}"#, SignatureError::OutOfBounds),
            (r#"{"w":300,"h":100,"strokes":[[[-1,5],[3,6]]]}"#, SignatureError::OutOfBounds),
            (r#"{"w":0,"h":100,"strokes":[[[0,5],[0,6]]]}"#, SignatureError::BadSize),
            (r#"{"w":2001,"h":100,"strokes":[[[0,5],[0,6]]]}"#, SignatureError::BadSize),
            (r#"{"w":300,"h":100,"strokes":[[[5.5,5],[3,6]]]}"#, SignatureError::Malformed),
            (r#"{"w":300,"h":100,"strokes":[[[5,5],[3,6]]],"x":1}"#, SignatureError::Malformed),
            (r#"{"w":300,"h":100}"#, SignatureError::Malformed),
            ("", SignatureError::Malformed),
        ];
        for (json, error) in cases {
            assert_eq!(Strokes::parse(json), Err(error), "{json}");
        }
        assert_eq!(SignatureError::Empty.to_string(), "La signature est vide : tracez-la dans le cadre.");
        let many_strokes = format!(r#"{{"w":9,"h":9,"strokes":[{}]}}"#, vec!["[[1,1]]"; 201].join(","));
        assert_eq!(Strokes::parse(&many_strokes), Err(SignatureError::TooManyStrokes));
        let many_points = format!(r#"{{"w":9,"h":9,"strokes":[[{}]]}}"#, vec!["[1,1]"; 5001].join(","));
        assert_eq!(Strokes::parse(&many_points), Err(SignatureError::TooManyPoints));
        assert_eq!(Strokes::parse(&" ".repeat(MAX_JSON_BYTES + 1)), Err(SignatureError::TooLarge));
    }

    fn any_strokes() -> impl Strategy<Value = Strokes> {
        (1u32..=2000, 1u32..=2000)
            .prop_flat_map(|(w, h)| {
                let stroke = proptest::collection::vec((0..=w, 0..=h).prop_map(|(x, y)| [x, y]), 1..20);
                (Just(w), Just(h), proptest::collection::vec(stroke, 1..10))
            })
            .prop_filter("a signature has two points", |(_, _, s)| s.iter().map(Vec::len).sum::<usize>() >= 2)
            .prop_map(|(w, h, strokes)| Strokes { w, h, strokes })
    }

    proptest! {
        #[test]
        fn parsing_anything_never_panics(text in "\\PC{0,200}", w in any::<i64>(), pts in proptest::collection::vec((any::<i32>(), any::<i32>()), 0..6)) {
            let _ = Strokes::parse(&text);
            let points: Vec<String> = pts.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
            let _ = Strokes::parse(&format!(r#"{{"w":{w},"h":100,"strokes":[[{}]]}}"#, points.join(",")));
        }

        #[test]
        fn the_canonical_form_parses_back(s in any_strokes()) {
            prop_assert_eq!(Strokes::parse(&s.canonical_json()), Ok(s.clone()));
            prop_assert_eq!(s.to_svg_path().matches('M').count(), s.strokes().len());
        }
    }
}
