//! Numbers and arrays on the wire: exact in, exact out, NaN and the infinities as strings.
//!
//! serde_json (with `float_roundtrip`) parses every number to the nearest f64 and prints every
//! f64 in the shortest form that reads back as the same f64; this module adds the strings
//! "NaN", "Infinity", "-Infinity" in both directions and the shape of a nested list.

use crate::{Float, Printout};
use serde_json::Value;

/// A JSON number, or one of the strings that stand for NaN and the infinities, as sent.
pub(crate) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(x) => x.as_f64(),
        // NOTE: true and false are not numbers; NaN fails every label, mask and count check,
        //       which is where the reference refuses them.
        Value::Bool(_) => Some(f64::NAN),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// The shape of a nested list (`[]` for a single value), or where its rows differ.
pub(crate) fn shape(value: &Value) -> Result<Vec<usize>, Ragged> {
    let Value::Array(items) = value else {
        return Ok(Vec::new());
    };
    let mut first = None;
    for (i, item) in items.iter().enumerate() {
        let this = shape(item).map_err(|mut ragged| {
            ragged.path.insert(0, i);
            ragged
        })?;
        match &first {
            None => first = Some(this),
            Some(first) if *first != this => {
                let first = first.clone();
                return Err(Ragged {
                    path: vec![i],
                    this,
                    first,
                });
            }
            Some(_) => {}
        }
    }
    let mut dims = vec![items.len()];
    dims.extend(first.unwrap_or_default());
    Ok(dims)
}

/// Rows of different lengths: at `path` (its last index the row that differs from row 0).
#[derive(Debug, PartialEq)]
pub(crate) struct Ragged {
    path: Vec<usize>,
    this: Vec<usize>,
    first: Vec<usize>,
}

impl Ragged {
    /// `inputs[1] has shape [1], inputs[0] has shape [2]`
    pub(crate) fn message(&self, name: &str) -> String {
        let (last, parents) = self.path.split_last().unwrap_or((&0, &[]));
        let at: String = parents.iter().map(|i| format!("[{i}]")).collect();
        format!(
            "{name}{at}[{last}] {}, {name}{at}[0] {}",
            has(&self.this),
            has(&self.first)
        )
    }
}

/// `shape [2, 3]`, or `a single number` for rank 0.
pub(crate) fn describe(shape: &[usize]) -> String {
    if shape.is_empty() {
        return "a single number".into();
    }
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("shape [{}]", dims.join(", "))
}

/// `has shape [2, 3]`, or `is a single number`.
pub(crate) fn has(shape: &[usize]) -> String {
    if shape.is_empty() {
        return "is a single number".into();
    }
    format!("has {}", describe(shape))
}

/// `[1][0]`: the place of the `flat`-th number, row-major, in an array of shape `dims`.
pub(crate) fn index(mut flat: usize, dims: &[usize]) -> String {
    let mut at = Vec::with_capacity(dims.len());
    for &n in dims.iter().rev() {
        at.push(flat % n.max(1));
        flat /= n.max(1);
    }
    at.iter().rev().map(|i| format!("[{i}]")).collect()
}

/// Every number of a nested list, in row-major order, as sent (None: not a number).
pub(crate) fn leaves(value: &Value, out: &mut Vec<Option<f64>>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| leaves(item, out)),
        leaf => out.push(number(leaf)),
    }
}

/// Reads a rank-0, 1 or 2 value whose shape was checked, rounding each number to `T`.
pub(crate) fn scalar<T: Float>(name: &str, value: &Value) -> Result<T, String> {
    match number(value) {
        Some(x) => Ok(T::from_f64(x)),
        None => Err(format!("{name} must be a number, is {value}")),
    }
}

pub(crate) fn vector<T: Float>(name: &str, value: &Value) -> Result<Vec<T>, String> {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().map(|item| scalar(name, item)).collect()
}

pub(crate) fn matrix<T: Float>(name: &str, value: &Value) -> Result<Vec<Vec<T>>, String> {
    let rows = value.as_array().map(Vec::as_slice).unwrap_or_default();
    rows.iter().map(|row| vector(name, row)).collect()
}

/// An output as JSON: every float widened to f64 exactly; NaN and the infinities as strings.
pub(crate) trait Encode {
    fn encode(&self) -> Value;
}

impl<T: Float> Encode for T {
    fn encode(&self) -> Value {
        match self.to_f64() {
            x if x.is_nan() => Value::from("NaN"),
            x if x == f64::INFINITY => Value::from("Infinity"),
            x if x == f64::NEG_INFINITY => Value::from("-Infinity"),
            x => Value::from(x),
        }
    }
}

impl Encode for usize {
    fn encode(&self) -> Value {
        Value::from(*self)
    }
}

impl Encode for i64 {
    fn encode(&self) -> Value {
        Value::from(*self)
    }
}

impl Encode for u64 {
    fn encode(&self) -> Value {
        Value::from(*self)
    }
}

impl Encode for Printout {
    fn encode(&self) -> Value {
        match self {
            Printout::Number(x) => x.encode(),
            Printout::Rows(rows) => rows.encode(),
        }
    }
}

impl<E: Encode> Encode for Vec<E> {
    fn encode(&self) -> Value {
        Value::Array(self.iter().map(Encode::encode).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn hard_numbers_parse_to_the_nearest_double() {
        let text = r#"[5e-324, 2.2250738585072014e-308, 1e+23, -0.0, 9007199254740993,
                      2.225073858507201e-308, 0.30000000000000004, 18446744073709551617,
                      "-Infinity"]"#;
        let got: Vec<f64> = vector("x", &parse(text)).unwrap();
        let want = [
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            1e23,
            -0.0,
            9007199254740992.0,
            f64::from_bits(0x000F_FFFF_FFFF_FFFF),
            0.1 + 0.2,
            18446744073709551616.0,
            f64::NEG_INFINITY,
        ];
        for (got, want) in got.iter().zip(want) {
            assert_eq!(got.to_bits(), want.to_bits(), "{got} != {want}");
        }
    }

    #[test]
    fn every_double_prints_as_itself_and_non_finite_as_strings() {
        let values = [
            5e-324,
            1e23,
            0.1,
            -0.0,
            1.0 / 3.0,
            f64::MAX,
            1e-7,
            123456789.0,
        ];
        for x in values {
            let text = x.encode().to_string();
            let back: f64 = text.parse().unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{x} printed as {text}");
        }
        let strings = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY].encode();
        assert_eq!(strings.to_string(), r#"["NaN","Infinity","-Infinity"]"#);
    }

    #[test]
    fn a_float32_prints_as_the_double_it_widens_to() {
        let out = vec![0.1f32, -0.0, f32::MIN_POSITIVE / 2.0].encode();
        let want = r#"[0.10000000149011612,-0.0,5.877471754111438e-39]"#;
        assert_eq!(out.to_string(), want);
    }

    #[test]
    fn shapes_name_the_first_row_that_differs() {
        assert_eq!(shape(&parse("[[1, 2], [3, 4], [5, 6]]")), Ok(vec![3, 2]));
        assert_eq!(shape(&parse("[]")), Ok(vec![0]));
        assert_eq!(shape(&parse("7")), Ok(vec![]));
        let ragged = |text| shape(&parse(text)).unwrap_err().message("x");
        assert_eq!(
            ragged("[[1, 2], [3]]"),
            "x[1] has shape [1], x[0] has shape [2]"
        );
        assert_eq!(
            ragged("[[[1], [2, 3]]]"),
            "x[0][1] has shape [2], x[0][0] has shape [1]"
        );
        assert_eq!(
            ragged("[[1, 2], 3]"),
            "x[1] is a single number, x[0] has shape [2]"
        );
        assert_eq!(index(3, &[2, 2]), "[1][1]");
    }
}
