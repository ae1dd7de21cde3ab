//! The SQLite and PostgreSQL migration folders stay in step: the same migrations, each creating,
//! altering and dropping the same tables, columns and indexes. Only the dialect may differ
//! (types, defaults, `BOOLEAN … DEFAULT 1` against `DEFAULT TRUE`).

use std::collections::BTreeMap;
use std::path::Path;

/// What a migration's SQL does to the schema, in order: `create table cases (id, …)`,
/// `add column cases.flagged`, `create index cases_state_due`, …
fn effects(sql: &str) -> Vec<String> {
    let text: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    let mut effects = Vec::new();
    for statement in text.split(';') {
        let words: Vec<&str> = statement
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let named = |at: usize| {
            let rest = &words[at.min(words.len())..];
            let rest = match rest {
                ["if", "not", "exists", ..] => &rest[3..],
                ["if", "exists", ..] => &rest[2..],
                _ => rest,
            };
            rest.first()
                .map(|w| w.trim_matches('"'))
                .unwrap_or("?")
                .to_owned()
        };
        match words.as_slice() {
            ["create", "table", ..] => effects.push(format!(
                "create table {} ({})",
                named(2),
                columns(statement)
            )),
            ["create", "index", ..] => effects.push(format!("create index {}", named(2))),
            ["create", "unique", "index", ..] => {
                effects.push(format!("create unique index {}", named(3)))
            }
            ["drop", what, ..] => effects.push(format!("drop {what} {}", named(2))),
            ["alter", "table", ..] => {
                let table = named(2);
                let at = words.iter().position(|w| *w == table).unwrap_or(2) + 1;
                let change = words[at..].join(" ");
                let change = match &words[at..] {
                    ["add", "column", column, ..] => format!("add column {column}"),
                    ["drop", "column", column, ..] => format!("drop column {column}"),
                    ["rename", "column", from, "to", to, ..] => format!("rename {from} to {to}"),
                    ["rename", "to", to, ..] => format!("rename to {to}"),
                    // Dialect-only changes (types, defaults) are the dialect's own business.
                    _ if change.contains("type") || change.contains("default") => continue,
                    _ => change,
                };
                effects.push(format!("alter {table}: {change}"));
            }
            [] => {}
            other => effects.push(format!("{} {}", other[0], other.get(1).unwrap_or(&""))),
        }
    }
    effects
}

/// The names of a `CREATE TABLE`'s columns and constraints, in order.
fn columns(statement: &str) -> String {
    let Some(open) = statement.find('(') else {
        return String::new();
    };
    let body = &statement[open + 1..statement.rfind(')').unwrap_or(statement.len())];
    let (mut depth, mut item, mut names) = (0, String::new(), Vec::new());
    for c in body.chars().chain([',']) {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                if let Some(first) = item.split_whitespace().next() {
                    names.push(first.trim_matches('"').to_owned());
                }
                item.clear();
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    names.join(", ")
}

fn folders(dialect: &str) -> BTreeMap<String, std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect()
}

#[test]
fn the_sqlite_and_postgresql_migrations_change_the_same_schema() {
    let (sqlite, postgres) = (folders("sqlite"), folders("postgres"));
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "both folders hold the same migrations"
    );
    assert!(sqlite.len() >= 19, "{} migrations", sqlite.len());
    let mut compared = 0;
    for (name, lite) in &sqlite {
        for file in ["up.sql", "down.sql"] {
            let read = |dir: &Path| {
                std::fs::read_to_string(dir.join(file))
                    .unwrap_or_else(|e| panic!("{name}/{file} in {}: {e}", dir.display()))
            };
            let (a, b) = (read(lite), read(&postgres[name]));
            let (a, b) = (effects(&a), effects(&b));
            assert!(!a.is_empty(), "{name}/{file} changes nothing");
            assert_eq!(a, b, "{name}/{file}: SQLite (left) and PostgreSQL (right)");
            compared += a.len();
        }
    }
    assert!(compared > 50, "{compared} schema changes compared");
}

#[test]
fn a_forgotten_column_is_told_apart() {
    let sqlite = "CREATE TABLE cases (id TEXT PRIMARY KEY, flagged BOOLEAN NOT NULL DEFAULT 0);\n\
                  ALTER TABLE cases ADD COLUMN due_at TIMESTAMP; -- the clock";
    let postgres =
        "CREATE TABLE cases (id TEXT PRIMARY KEY, flagged BOOLEAN NOT NULL DEFAULT FALSE);\n\
                    ALTER TABLE cases ADD COLUMN due_at TIMESTAMP;";
    assert_eq!(effects(sqlite), effects(postgres));
    assert_eq!(
        effects(sqlite),
        [
            "create table cases (id, flagged)",
            "alter cases: add column due_at"
        ]
    );
    let forgot = "CREATE TABLE cases (id TEXT PRIMARY KEY);";
    assert_ne!(effects(sqlite)[0], effects(forgot)[0]);
}
