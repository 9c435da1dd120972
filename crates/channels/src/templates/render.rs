//! A small template language: `{{name}}`, `{{#name}}…{{/name}}` (shown when `name` is
//! non-empty) and `{{^name}}…{{/name}}` (shown when it is empty). Nothing else, so an
//! admin-edited template cannot run code or reach data it was not given.

use super::TemplateError;
use std::collections::BTreeMap;

/// Values for a template's variables.
pub type Vars = BTreeMap<String, String>;

/// How values are written into the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Plain text bodies: values as given.
    None,
    /// Header lines: line breaks in values become spaces.
    Line,
    /// HTML bodies: values HTML-escaped, line breaks become `<br>`.
    Html,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Text(String),
    Var(String),
    Section { name: String, inverted: bool, body: Vec<Node> },
}

/// Parses a template into nodes, or says where it is malformed.
pub(crate) fn parse(src: &str) -> Result<Vec<Node>, TemplateError> {
    let mut rest = src;
    let nodes = parse_until(&mut rest, None)?;
    Ok(nodes)
}

fn parse_until(rest: &mut &str, closing: Option<&str>) -> Result<Vec<Node>, TemplateError> {
    let mut nodes = Vec::new();
    loop {
        let Some(open) = rest.find("{{") else {
            if let Some(name) = closing {
                return Err(TemplateError::syntax(format!("{{{{#{name}}}}} is never closed")));
            }
            push_text(&mut nodes, rest);
            *rest = "";
            return Ok(nodes);
        };
        push_text(&mut nodes, &rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| TemplateError::syntax("a {{ is never closed".into()))?;
        let tag = after[..close].trim();
        *rest = &after[close + 2..];
        match tag.chars().next() {
            Some(c @ ('#' | '^')) => {
                let name = ident(&tag[1..])?;
                let body = parse_until(rest, Some(&name))?;
                let inverted = c == '^';
                nodes.push(Node::Section { name, inverted, body });
            }
            Some('/') => {
                let name = ident(&tag[1..])?;
                return match closing {
                    Some(open) if open == name => Ok(nodes),
                    _ => Err(TemplateError::syntax(format!("unexpected {{{{/{name}}}}}"))),
                };
            }
            _ => nodes.push(Node::Var(ident(tag)?)),
        }
    }
}

fn push_text(nodes: &mut Vec<Node>, text: &str) {
    if !text.is_empty() {
        nodes.push(Node::Text(text.to_string()));
    }
}

fn ident(raw: &str) -> Result<String, TemplateError> {
    let name = raw.trim();
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name.to_string())
    } else {
        Err(TemplateError::syntax(format!("{name:?} is not a variable name")))
    }
}

/// Every variable a template mentions, sections included.
pub(crate) fn variables(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Var(name) => out.push(name.clone()),
            Node::Section { name, body, .. } => {
                out.push(name.clone());
                variables(body, out);
            }
        }
    }
}

/// Renders parsed nodes; a variable shown outside a section must have a value.
pub(crate) fn render(nodes: &[Node], vars: &Vars, escape: Escape) -> Result<String, TemplateError> {
    let mut out = String::new();
    render_into(nodes, vars, escape, &mut out)?;
    Ok(out)
}

fn render_into(nodes: &[Node], vars: &Vars, escape: Escape, out: &mut String) -> Result<(), TemplateError> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Var(name) => {
                let value = vars.get(name).ok_or_else(|| TemplateError::MissingVariable(name.clone()))?;
                write_value(value, escape, out);
            }
            Node::Section { name, inverted, body } => {
                let present = vars.get(name).is_some_and(|v| !v.trim().is_empty());
                if present != *inverted {
                    render_into(body, vars, escape, out)?;
                }
            }
        }
    }
    Ok(())
}

/// `value` escaped for HTML text or an attribute (line breaks become `<br>`).
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    write_value(value, Escape::Html, &mut out);
    out
}

fn write_value(value: &str, escape: Escape, out: &mut String) {
    match escape {
        Escape::None => out.push_str(value),
        Escape::Line => {
            let line: Vec<&str> = value.split_whitespace().collect();
            out.push_str(&line.join(" "));
        }
        Escape::Html => {
            for c in value.replace("\r\n", "\n").chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    '\'' => out.push_str("&#39;"),
                    '\n' => out.push_str("<br>\n"),
                    c => out.push(c),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn run(src: &str, v: &Vars, escape: Escape) -> Result<String, TemplateError> {
        render(&parse(src)?, v, escape)
    }

    #[test]
    fn substitutes_and_escapes_for_html_only() {
        let v = vars(&[("name", "<b>张三</b> & \"co\"\nline 2")]);
        assert_eq!(run("Hi {{ name }}!", &v, Escape::None).unwrap(), "Hi <b>张三</b> & \"co\"\nline 2!");
        assert_eq!(
            run("<p>{{name}}</p>", &v, Escape::Html).unwrap(),
            "<p>&lt;b&gt;张三&lt;/b&gt; &amp; &quot;co&quot;<br>\nline 2</p>"
        );
        assert_eq!(run("{{name}}", &v, Escape::Line).unwrap(), "<b>张三</b> & \"co\" line 2");
    }

    #[test]
    fn sections_show_on_presence_or_absence() {
        let src = "{{#name}}{{name}}，{{/name}}{{^name}}客户，{{/name}}您好";
        assert_eq!(run(src, &vars(&[("name", "李四")]), Escape::None).unwrap(), "李四，您好");
        assert_eq!(run(src, &vars(&[]), Escape::None).unwrap(), "客户，您好");
        assert_eq!(run(src, &vars(&[("name", " ")]), Escape::None).unwrap(), "客户，您好");
    }

    #[test]
    fn refuses_malformed_templates_and_missing_values() {
        assert!(matches!(parse("{{#a}}x"), Err(TemplateError::Syntax(_))));
        assert!(matches!(parse("{{/a}}"), Err(TemplateError::Syntax(_))));
        assert!(matches!(parse("{{#a}}x{{/b}}"), Err(TemplateError::Syntax(_))));
        assert!(matches!(parse("{{ a"), Err(TemplateError::Syntax(_))));
        assert!(matches!(parse("{{Bad-Name}}"), Err(TemplateError::Syntax(_))));
        assert!(matches!(parse("{{{raw}}}"), Err(TemplateError::Syntax(_))));
        assert_eq!(run("{{due}}", &vars(&[]), Escape::None), Err(TemplateError::MissingVariable("due".into())));
    }
}
