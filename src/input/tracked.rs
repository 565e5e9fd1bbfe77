//! A `serde` deserializer over an owned JSON value that records the map keys it walks through,
//! so an input error can name the offending field (`nested.name`).
//!
//! Only objects are tracked: [`Tracked`] hands an object's entries to the visitor itself, pushing
//! each key on the path before the key is read and popping it once the value is read. On an
//! error the path is left as it is, so the caller reads where deserialization stopped. Everything
//! else (strings, numbers, lists, enums...) goes to `Value`'s own `Deserializer`, code the binary
//! holds anyway; an error inside a list or an enum's content names the list or enum field. No
//! visitor is wrapped, so each input type costs only the `Tracked` methods its impl calls.
//!
//! One difference from `Value`: a struct takes an object only (what its schema says), not also a
//! list of its fields in order; accepting lists would compile every input struct's `visit_seq` in.

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, Expected, MapAccess, Unexpected, Visitor};
use serde_json::{map, Error, Map, Value};

/// `value`, read with the keys on the way to it kept in `path`.
pub struct Tracked<'p> {
    pub value: Value,
    pub path: &'p mut Vec<String>,
}

/// Methods whose only argument is the visitor, answered by `Value`.
macro_rules! to_value {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.value.$method(visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for Tracked<'_> {
    type Error = Error;

    // Other kinds of value are answered here too, not by `Value`'s `deserialize_any`, `_map` or
    // `_struct`: each of those holds its own copy of the visitor's `visit_map` (and `_struct` of
    // its `visit_seq`), which calling them would compile in beside ours for every input type.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(object) => visit_object(object, self.path, visitor),
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_string(s),
            array => array.deserialize_seq(visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(object) => visit_object(object, self.path, visitor),
            value => Err(invalid_type(&value, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.value.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value.deserialize_enum(name, variants, visitor)
    }

    to_value! {
        deserialize_bool deserialize_char deserialize_str deserialize_string
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_seq deserialize_identifier deserialize_ignored_any
    }
}

/// serde's "invalid type: ..., expected ..." for `value`, as `Value` words it.
#[cold]
fn invalid_type(value: &Value, expected: &dyn Expected) -> Error {
    let unexpected = match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            (None, None) => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    };
    de::Error::invalid_type(unexpected, expected)
}

/// Hands the object's entries to `visitor`, keeping the current key on `path`.
fn visit_object<'de, V: Visitor<'de>>(
    object: Map<String, Value>,
    path: &mut Vec<String>,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut entries = Entries::new(object, path);
    let out = visitor.visit_map(&mut entries)?;
    entries.finish().map(|()| out)
}

/// An object's entries as a `MapAccess`; keys above `depth` on `path` are this object's.
struct Entries<'p> {
    iter: map::IntoIter,
    value: Option<Value>,
    len: usize,
    path: &'p mut Vec<String>,
    depth: usize,
}

impl<'p> Entries<'p> {
    fn new(object: Map<String, Value>, path: &'p mut Vec<String>) -> Self {
        Entries {
            len: object.len(),
            iter: object.into_iter(),
            value: None,
            depth: path.len(),
            path,
        }
    }

    /// After a successful visit: back at the object, and every entry read (as `Value` requires).
    fn finish(self) -> Result<(), Error> {
        self.path.truncate(self.depth);
        if self.iter.len() == 0 {
            Ok(())
        } else {
            Err(de::Error::invalid_length(
                self.len,
                &"fewer elements in map",
            ))
        }
    }

    /// Moves to the next entry: its key replaces the previous one on the path.
    fn advance(&mut self) -> Option<&str> {
        let (key, value) = self.iter.next()?;
        self.value = Some(value);
        self.path.truncate(self.depth);
        self.path.push(key);
        self.path.last().map(String::as_str)
    }

    fn take_value(&mut self) -> Result<Value, Error> {
        self.value
            .take()
            .ok_or_else(|| de::Error::custom("value is missing"))
    }
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.advance() {
            Some(key) => seed.deserialize(StrDeserializer::new(key)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let value = self.take_value()?;
        let out = seed.deserialize(Tracked {
            value,
            path: &mut *self.path,
        })?;
        self.path.truncate(self.depth);
        Ok(out)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::input::{parse, Id, Text};
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // fields exist to be parsed, not read
    struct Nested {
        name: Text,
    }

    /// The serde features input types use (`default`, `alias`, `rename_all` enums, `untagged`
    /// inside [`Id`], maps of values), plus lists and `flatten`, which no input uses yet.
    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Wide {
        #[serde(default)]
        count: u32,
        #[serde(default)]
        kind: Kind,
        #[serde(alias = "user_id")]
        external_id: Option<Id>,
        nested: Option<Nested>,
        inner: Option<Inner>,
        metadata: Option<Map<String, Value>>,
        any: Option<Value>,
        tags: Option<Vec<Text>>,
        items: Option<Vec<Nested>>,
        either: Option<Either>,
        flat: Option<Flat>,
    }

    #[derive(Deserialize, Debug, Default, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        #[default]
        Admin,
        Team,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        id: Id,
        nested: Option<Nested>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Either {
        Number(u32),
        Named(Nested),
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Flat {
        label: Option<Text>,
        #[serde(flatten)]
        nested: Nested,
    }

    fn wide_field(input: &str) -> String {
        match parse::<Wide>(input) {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input for {input}, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field_for_every_serde_feature() {
        // Option fields, nested structs and their unknown or missing fields.
        assert_eq!(wide_field(r#"{"nested": 5}"#), "nested");
        assert_eq!(wide_field(r#"{"nested": {}}"#), "nested.name");
        assert_eq!(
            wide_field(r#"{"nested": {"name": "x", "zz": 1}}"#),
            "nested.zz"
        );
        assert_eq!(wide_field(r#"{"nested": {"name": 5}}"#), "nested.name");
        assert_eq!(wide_field(r#"{"nested": {"name": null}}"#), "nested.name");
        assert_eq!(wide_field(r#"{"inner": {}}"#), "inner.id");
        assert_eq!(wide_field(r#"{"inner": {"id": true}}"#), "inner.id");
        assert_eq!(
            wide_field(r#"{"inner": {"id": 1, "nested": {"name": " "}}}"#),
            "inner.nested.name"
        );
        assert_eq!(
            wide_field(r#"{"inner": {"id": 1, "nested": {"zz": 1}}}"#),
            "inner.nested.zz"
        );
        // A key seen earlier at another depth does not leak into a later error.
        assert_eq!(
            wide_field(r#"{"inner": {"id": 1, "nested": {"name": "x"}}, "count": -1}"#),
            "count"
        );
        // `untagged` (inside `Id`): an object given as an id is walked, then refused at the id.
        assert_eq!(wide_field(r#"{"inner": {"id": {"a": 1}}}"#), "inner.id");
        assert_eq!(wide_field(r#"{"either": "x"}"#), "either");
        assert_eq!(wide_field(r#"{"either": {"zz": 1}}"#), "either");
        // `default` fields are checked when given.
        assert_eq!(wide_field(r#"{"count": "3"}"#), "count");
        assert_eq!(wide_field(r#"{"kind": "bogus"}"#), "kind");
        assert_eq!(wide_field(r#"{"kind": 1}"#), "kind");
        // `alias`: the error names the key as given.
        assert_eq!(wide_field(r#"{"user_id": true}"#), "user_id");
        // Maps of values.
        assert_eq!(wide_field(r#"{"metadata": 5}"#), "metadata");
        assert_eq!(wide_field(r#"{"metadata": [1]}"#), "metadata");
        // A struct takes an object only (its schema's `type`); `Value` would read a list as the
        // fields in order.
        assert_eq!(wide_field(r#"{"nested": ["x"]}"#), "nested");
        assert_eq!(wide_field(r#"{"inner": [1]}"#), "inner");
        // Lists are not tracked: an error in an element names the list field (followed by the
        // field's name for a missing or unknown field).
        assert_eq!(wide_field(r#"{"tags": ["a", " "]}"#), "tags");
        assert_eq!(wide_field(r#"{"tags": "a"}"#), "tags");
        assert_eq!(
            wide_field(r#"{"items": [{"name": "x", "zz": 1}]}"#),
            "items.zz"
        );
        // `flatten`: serde buffers the entries it does not know, so errors in the flattened
        // fields are reported at the parent; the struct's own fields are tracked as usual.
        assert_eq!(wide_field(r#"{"flat": {"label": "x"}}"#), "flat.name");
        assert_eq!(wide_field(r#"{"flat": {"name": " "}}"#), "flat");
        assert_eq!(
            wide_field(r#"{"flat": {"label": 5, "name": "x"}}"#),
            "flat.label"
        );
    }

    #[test]
    fn every_serde_feature_parses() {
        let w: Wide = parse(
            r#"{"count": 3, "kind": "team", "user_id": 7,
                "inner": {"id": "a", "nested": {"name": " n "}},
                "metadata": {"k": [1, {"x": null}]}, "any": {"deep": {"er": [true]}},
                "tags": ["a", "b"], "items": [{"name": "x"}], "either": {"name": "y"},
                "flat": {"label": "l", "name": "m"}}"#,
        )
        .unwrap();
        assert_eq!((w.count, w.kind), (3, Kind::Team));
        assert_eq!(w.external_id.unwrap().0, "7");
        assert_eq!(w.inner.unwrap().nested.unwrap().name.0, "n");
        assert_eq!(w.metadata.unwrap()["k"], json!([1, {"x": null}]));
        assert_eq!(w.any.unwrap(), json!({"deep": {"er": [true]}}));
        assert_eq!(w.tags.unwrap().len(), 2);
        assert_eq!(w.items.unwrap()[0].name.0, "x");
        assert!(matches!(w.either, Some(Either::Named(Nested { .. }))));
        assert_eq!(w.flat.unwrap().nested.name.0, "m");
        let w: Wide = parse(r#"{"either": 4}"#).unwrap();
        assert!(matches!(w.either, Some(Either::Number(4))));
        assert_eq!((w.count, w.kind), (0, Kind::Admin));
    }

    /// The path `Tracked` leaves: where it failed, or nothing after a success.
    fn path_after<T: de::DeserializeOwned>(value: Value) -> (bool, Vec<String>) {
        let mut path = Vec::new();
        let ok = T::deserialize(Tracked {
            value,
            path: &mut path,
        })
        .is_ok();
        (ok, path)
    }

    #[test]
    fn the_path_is_where_it_failed_and_empty_after_success() {
        let (ok, path) = path_after::<Wide>(json!({"inner": {"id": 1, "nested": {"name": 5}}}));
        assert!(!ok);
        assert_eq!(path, ["inner", "nested", "name"]);
        // Missing fields are reported once the object is read: at the object.
        let (ok, path) =
            path_after::<Wide>(json!({"count": 1, "inner": {"nested": {"name": "x"}}}));
        assert!(!ok);
        assert_eq!(path, ["inner"]);
        let (ok, path) = path_after::<Wide>(
            json!({"inner": {"id": 1, "nested": {"name": "x"}}, "any": {"a": {"b": 1}}}),
        );
        assert!(ok);
        assert!(path.is_empty(), "{path:?}");
    }

    #[test]
    fn values_come_through_unchanged() {
        let v =
            json!({"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": {"d": [[]]}, "e": u64::MAX});
        let mut path = Vec::new();
        let back = Value::deserialize(Tracked {
            value: v.clone(),
            path: &mut path,
        })
        .unwrap();
        assert_eq!(back, v);
        let map = Map::<String, Value>::deserialize(Tracked {
            value: v.clone(),
            path: &mut path,
        })
        .unwrap();
        assert_eq!(Value::Object(map), v);
        assert_eq!(
            Option::<Id>::deserialize(Tracked {
                value: Value::Null,
                path: &mut path
            })
            .unwrap(),
            None
        );
    }

    #[test]
    fn refusals_read_as_values_do() {
        let refuse = |v: Value| {
            let mut path = Vec::new();
            let ours = [
                Nested::deserialize(Tracked {
                    value: v.clone(),
                    path: &mut path,
                })
                .unwrap_err(),
                Map::<String, Value>::deserialize(Tracked {
                    value: v.clone(),
                    path: &mut path,
                })
                .unwrap_err(),
            ];
            let theirs = [
                Nested::deserialize(v.clone()).unwrap_err(),
                Map::<String, Value>::deserialize(v.clone()).unwrap_err(),
            ];
            assert_eq!(
                ours.map(|e| e.to_string()),
                theirs.map(|e| e.to_string()),
                "{v}"
            );
        };
        for v in [
            json!(null),
            json!(true),
            json!(7),
            json!(-7),
            json!(1.5),
            json!("x"),
        ] {
            refuse(v);
        }
        let mut path = Vec::new();
        let list = Nested::deserialize(Tracked {
            value: json!(["x"]),
            path: &mut path,
        });
        assert_eq!(
            list.unwrap_err().to_string(),
            "invalid type: sequence, expected struct Nested"
        );
    }
}
