import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Every word a merchant reads comes from the catalogs (locales/*.json through t()). This test
 * parses each component (.tsx under app/) and reports text written straight into the markup:
 *   - JSX text:                       <Button>Sign in</Button>
 *   - string children:                <p>{failed ? "Failed" : t("ok")}</p>
 *   - user-visible props:             <TextField label="Email" />, <img alt="Logo" />
 *   - user-visible object properties: primaryAction={{ content: "Save" }}, items: [{ label: "Home" }]
 * Strings that are arguments of a call (t("login.title"), x.includes("a")), compared values,
 * and non-text props (className, name, tone, variant, url...) are not text and are not reported.
 */

interface Finding {
  file: string;
  line: number;
  /** "text", "prop <name>" or "property <name>" ("meta <name>" inside a route's meta export). */
  kind: string;
  text: string;
}

/** Props that a component shows or reads out (Polaris and plain HTML). */
const VISIBLE_PROPS = new Set([
  "title",
  "label",
  "placeholder",
  "content",
  "heading",
  "helpText",
  "subtitle",
  "alt",
  "aria-label",
  "aria-description",
  "aria-placeholder",
  "aria-roledescription",
  "aria-valuetext",
  "accessibilityLabel",
  "detail",
  "description",
  "message",
  "error",
  "tooltip",
  "caption",
  "summary",
  "legend",
  "emptyStateText",
  "prefix",
  "suffix",
]);
/** On plain HTML elements (<meta content="width=device-width">) only these carry text. */
const VISIBLE_HTML_ATTRIBUTES = new Set([
  "title",
  "alt",
  "placeholder",
  "label",
  "aria-label",
  "aria-description",
  "aria-placeholder",
  "aria-roledescription",
  "aria-valuetext",
]);
/** Properties of object literals (actions, navigation items, meta) that end up on screen. */
const VISIBLE_OBJECT_PROPERTIES = new Set([
  "content",
  "label",
  "title",
  "heading",
  "helpText",
  "subtitle",
  "placeholder",
  "alt",
  "accessibilityLabel",
  "detail",
  "description",
  "tooltip",
  "caption",
]);

/** The only literal texts allowed, each with its reason. Keep this list short. */
const ALLOWED: { kind: string; text: string; why: string }[] = [
  { kind: "meta title", text: "keyrelay", why: "the product name as the browser tab title; it is not translated" },
];

/** Text a human reads: any letter of any script (Latin, CJK...). Punctuation and digits alone are not. */
const HAS_LETTERS = /\p{L}/u;

function isComparison(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
    kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
    kind === ts.SyntaxKind.EqualsEqualsToken ||
    kind === ts.SyntaxKind.ExclamationEqualsToken
  );
}

/**
 * The literal strings an expression can evaluate to: through ?:, ??, ||, &&, parentheses,
 * `as`, arrays and template literals, but not into calls (t("key") is a key, not text),
 * functions or JSX (visited on its own).
 */
function renderedLiterals(expr: ts.Node | undefined): ts.Node[] {
  if (!expr) return [];
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr];
  if (ts.isTemplateExpression(expr)) {
    return [expr.head, ...expr.templateSpans.flatMap((s) => [s.literal, ...renderedLiterals(s.expression)])];
  }
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr)) {
    return renderedLiterals(expr.expression);
  }
  if (ts.isConditionalExpression(expr)) return [...renderedLiterals(expr.whenTrue), ...renderedLiterals(expr.whenFalse)];
  if (ts.isBinaryExpression(expr)) {
    if (isComparison(expr.operatorToken.kind)) return [];
    const op = expr.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return renderedLiterals(expr.right);
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken) {
      return [...renderedLiterals(expr.left), ...renderedLiterals(expr.right)];
    }
    return [];
  }
  if (ts.isArrayLiteralExpression(expr)) return expr.elements.flatMap((e) => renderedLiterals(e));
  if (ts.isJsxExpression(expr)) return renderedLiterals(expr.expression);
  return [];
}

function literalText(node: ts.Node): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) return node.text;
  return node.getText();
}

function propertyName(name: ts.PropertyName | ts.JsxAttributeName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isJsxNamespacedName(name)) return `${name.namespace.text}:${name.name.text}`;
  return undefined;
}

/** Inside `export const meta = ...` or `export function meta()` of a route module. */
function inMetaExport(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === "meta") return true;
    if (ts.isFunctionDeclaration(n) && n.name?.text === "meta") return true;
  }
  return false;
}

/** Reports the literal user-visible strings in one .tsx source. */
function findLiteralText(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const findings: Finding[] = [];
  const report = (node: ts.Node, kind: string, text: string) => {
    const clean = text.replace(/\s+/g, " ").trim();
    if (!HAS_LETTERS.test(clean)) return;
    if (ALLOWED.some((a) => a.kind === kind && a.text === clean)) return;
    findings.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, kind, text: clean });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) {
      report(node, "text", node.text);
    } else if (ts.isJsxExpression(node) && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      for (const lit of renderedLiterals(node.expression)) report(lit, "text", literalText(lit));
    } else if (ts.isJsxAttribute(node)) {
      const name = propertyName(node.name);
      const tag = node.parent.parent.tagName.getText(sf);
      const intrinsic = /^[a-z]/.test(tag) && !tag.includes(".");
      const visible = name !== undefined && (intrinsic ? VISIBLE_HTML_ATTRIBUTES : VISIBLE_PROPS).has(name);
      if (visible) for (const lit of renderedLiterals(node.initializer)) report(lit, `prop ${name}`, literalText(lit));
    } else if (ts.isPropertyAssignment(node)) {
      const name = propertyName(node.name);
      if (name !== undefined && VISIBLE_OBJECT_PROPERTIES.has(name)) {
        const kind = `${inMetaExport(node) ? "meta" : "property"} ${name}`;
        for (const lit of renderedLiterals(node.initializer)) report(lit, kind, literalText(lit));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

const appDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function componentFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return componentFiles(full);
    return e.name.endsWith(".tsx") && !/\.test\./.test(e.name) ? [full] : [];
  });
}

describe("the scanner", () => {
  it("reports literal text, string children, visible props and action contents", () => {
    const sample = `
      export function Login({ failed }) {
        return (
          <Page title="Sign in" primaryAction={{ content: "Save", onAction: save }}>
            <Text as="h1">Sign in to keyrelay</Text>
            <p>{failed ? "Wrong password" : null}</p>
            <TextField label={"Email"} placeholder={\`you@\${domain}\`} name="email" />
            <img alt="登录" src="/logo.png" />
            <Banner>卡密库存不足</Banner>
          </Page>
        );
      }`;
    const found = findLiteralText("sample.tsx", sample).map((f) => `${f.kind}: ${f.text}`);
    expect(found).toEqual([
      "prop title: Sign in",
      "property content: Save",
      "text: Sign in to keyrelay",
      "text: Wrong password",
      "prop label: Email",
      "prop placeholder: you@",
      "prop alt: 登录",
      "text: 卡密库存不足",
    ]);
  });

  it("does not report messages, keys, non-text props, numbers or punctuation", () => {
    const sample = `
      export const meta = () => [{ title: "keyrelay" }];
      export function Login({ failed, st, n }) {
        const { t } = useTranslation();
        return (
          <Page title={t("login.title")} primaryAction={{ content: t("save"), url: "/admin" }}>
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <Text as="h1" variant="headingXl" tone="subdued">{t("login.title")}</Text>
            <p className="note">{failed ? t(\`errors.\${code}\`, { email: "a@b.c" }) : null} · {n} / 3</p>
            <Badge tone={st.status === "active" ? "success" : "warning"}>{t("ok")}</Badge>
            <input type="hidden" name="csrf" value={csrf} />
            <Form method="post" action="/logout" />
            <div style={{ fontFamily: "system-ui, sans-serif" }} />
          </Page>
        );
      }`;
    expect(findLiteralText("sample.tsx", sample)).toEqual([]);
  });

  it("allows only listed texts, and only where they are listed", () => {
    const inMeta = `export const meta = () => [{ title: "keyrelay" }];`;
    expect(findLiteralText("a.tsx", inMeta)).toEqual([]);
    const onPage = `export default () => <Page title="keyrelay" />;`;
    expect(findLiteralText("b.tsx", onPage).map((f) => f.kind)).toEqual(["prop title"]);
    const otherMeta = `export const meta = () => [{ title: "Dashboard" }];`;
    expect(findLiteralText("c.tsx", otherMeta).map((f) => f.kind)).toEqual(["meta title"]);
  });
});

describe("components", () => {
  const files = componentFiles(appDir);

  it("are found", () => {
    expect(files.map((f) => path.relative(appDir, f))).toEqual(
      expect.arrayContaining(["root.tsx", "routes/login.tsx", "components/admin-frame.tsx", "components/dashboard-page.tsx"]),
    );
  });

  it("render no literal user-visible text (put it in locales/*.json and use t())", () => {
    const findings = files.flatMap((f) => findLiteralText(path.relative(appDir, f), fs.readFileSync(f, "utf8")));
    expect(findings.map((f) => `app/${f.file}:${f.line} ${f.kind}: ${JSON.stringify(f.text)}`)).toEqual([]);
  });
});
