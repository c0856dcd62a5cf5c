// The browser-test harness: a real hogod over a real SQLite store made by the hogo CLI, Debian's
// chromium driven by playwright-core, and the checks every page visited must pass (axe-core,
// security headers, no inline script or style, no request to another host, a screenshot).
// Test layer; imported by run.mjs and selftest.mjs, never by hogo itself. tests/browser/README.md
// says how to write a journey against it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, accessSync, constants } from "node:fs";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE = resolve(process.env.HOGO_SOURCE_DIR || join(here, "..", ".."));
export const HOGO = resolve(process.env.HOGO || join(SOURCE, "build", "bin", "hogo"));
export const HOGOD = resolve(process.env.HOGOD || join(SOURCE, "build", "bin", "hogod"));
export const CHROMIUM = process.env.HOGO_CHROMIUM || "/usr/bin/chromium";
export const ARTIFACTS = resolve(process.env.HOGO_ARTIFACTS || join(SOURCE, "build", "test-artifacts"));
export const POLICIES = join(SOURCE, "policies");

// The WCAG levels axe-core checks, and the impacts that fail a page.
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"];
const FAILING_IMPACTS = new Set(["serious", "critical"]);

// The headers every web answer of hogod carries (WEB-DESIGN.md, "Sessions, CSRF, headers").
export const REQUIRED_HEADERS = {
  "content-security-policy":
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** Why the browser tests cannot run here (chromium or the npm packages missing), or null. */
export function missingPrerequisite() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    return `${CHROMIUM} is not installed (scripts/install-deps.sh installs Debian's chromium)`;
  }
  for (const pkg of ["playwright-core", "axe-core"]) {
    if (!existsSync(join(here, "node_modules", pkg, "package.json")))
      return `the npm package ${pkg} is not installed in tests/browser ` +
        "(scripts/install-deps.sh installs it from the npm registry)";
  }
  for (const prog of [HOGO, HOGOD]) {
    if (!existsSync(prog)) return `${prog} is not built (run make)`;
  }
  return null;
}

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const children = new Set();
function killChildren() {
  for (const c of children) {
    try { c.kill("SIGKILL"); } catch { /* already gone */ }
  }
}
process.on("exit", killChildren);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => { killChildren(); process.exit(128 + (sig === "SIGINT" ? 2 : 15)); });
}

/**
 * A store made by the CLI in a scratch folder: master key, audit signing key, sign-in key pair,
 * `hogo init`. Every CLI call gets the store, the keys and HOGO_POLICY_PATH explicitly.
 */
export class Store {
  constructor(dir = mkdtempSync(join(tmpdir(), "hogo-browser."))) {
    this.dir = dir;
    this.db = join(dir, "hogo.db");
    this.masterKey = join(dir, "master.key");
    this.signingKey = join(dir, "audit.key");
    this.signinKey = join(dir, "signin.key");        // the operator's login system keeps this
    this.signinPublicKey = join(dir, "signin.key.pub"); // hogod verifies tokens with this
    this.keyStore = join(dir, "keys.db");
    this.env = {
      ...process.env,
      HOGO_DB: this.db,
      HOGO_MASTER_KEY_FILE: this.masterKey,
      HOGO_SIGNING_KEY_FILE: this.signingKey,
      HOGO_KEY_STORE: this.keyStore,
      HOGO_POLICY_PATH: POLICIES,
      HOGO_ACTOR: "browser-test",
    };
    this.hogo("key", "generate", this.masterKey);
    this.hogo("key", "generate", "--signing", this.signingKey);
    this.hogo("key", "generate", "--signing", this.signinKey);
    this.hogo("init", "--db", this.db);
  }

  /** Runs the hogo CLI on this store; returns {code, stdout, stderr}; throws unless the exit
   *  status is one of `ok` (default [0]). */
  hogo(...args) {
    let opts = {};
    if (args.length && typeof args[args.length - 1] === "object") opts = args.pop();
    const p = spawnSync(HOGO, args, { env: this.env, input: opts.input ?? "", encoding: "utf8",
                                      timeout: 60000 });
    const ok = opts.ok ?? [0];
    if (p.error) throw new Error(`hogo ${args.join(" ")}: ${p.error.message}`);
    if (!ok.includes(p.status))
      throw new Error(`hogo ${args.join(" ")} exited ${p.status}: ${p.stderr.trim()}`);
    return { code: p.status, stdout: p.stdout, stderr: p.stderr };
  }

  /** Adds a person (a subject) of an operator through the CLI; returns {operator, subject}. */
  person(operator, subject) {
    this.hogo("subject", "add", subject, "--operator", operator);
    return { operator, subject };
  }

  /** Adds an officer account through the CLI (password on stdin); returns {operator, name,
   *  role, password}. */
  officer(operator, name, role = "handler", password = `pw-${name}-0123456789`) {
    this.hogo("officer", "add", name, "--operator", operator, "--role", role,
              { input: `${password}\n${password}\n` });
    return { operator, name, role, password };
  }

  /** A single-use sign-in token from the demo issuer `hogo signin issue`. */
  token(kind, operator, subject, ttl = 300) {
    return this.hogo("signin", "issue", "--key", this.signinKey, "--kind", kind,
                     "--operator", operator, "--subject", subject, "--ttl", String(ttl))
      .stdout.trim();
  }
}

/** Makes a self-signed certificate for 127.0.0.1 with openssl; returns {cert, key}. */
export function selfSignedCert(dir) {
  const cert = join(dir, "tls.crt"), key = join(dir, "tls.key");
  const p = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
  if (p.status !== 0) throw new Error(`openssl req: ${p.stderr}`);
  return { cert, key };
}

/** Whether this hogod knows an option (read from --help), for options other branches add. */
function hogodKnows(option) {
  const p = spawnSync(HOGOD, ["--help"], { encoding: "utf8" });
  return `${p.stdout}${p.stderr}`.includes(option);
}

/** A real hogod on a free loopback port over `store`; `tls` serves HTTPS with a fresh
 *  self-signed certificate. stop() ends it (it is also killed when this process exits). */
export class Hogod {
  static async start(store, { tls = false } = {}) {
    const d = new Hogod();
    d.store = store;
    d.port = await freePort();
    d.tls = tls;
    d.origin = `${tls ? "https" : "http"}://127.0.0.1:${d.port}`;
    const args = ["--listen", `127.0.0.1:${d.port}`, "--db", store.db,
      "--master-key", store.masterKey, "--signing-key", store.signingKey,
      "--key-store", store.keyStore, "--access-log", "off"];
    if (hogodKnows("--signin-key")) args.push("--signin-key", store.signinPublicKey);
    if (tls) {
      const c = selfSignedCert(store.dir);
      args.push("--tls-cert", c.cert, "--tls-key", c.key);
    }
    d.log = "";
    d.proc = spawn(HOGOD, args, { env: store.env, stdio: ["ignore", "ignore", "pipe"] });
    children.add(d.proc);
    d.proc.stderr.on("data", (b) => { d.log += b.toString(); });
    d.exited = new Promise((ok) => d.proc.on("exit", (code, sig) => {
      children.delete(d.proc);
      ok(code ?? sig);
    }));
    await d.waitLive();
    return d;
  }

  async waitLive(timeoutMs = 30000) {
    const end = Date.now() + timeoutMs;
    let done = false;
    this.exited.then(() => { done = true; });
    while (Date.now() < end) {
      if (done) throw new Error(`hogod exited: ${this.log}`);
      try {
        const r = await fetch(`http://127.0.0.1:${this.port}/livez`);
        if (r.status === 200) return;
      } catch { /* not yet listening, or TLS */ }
      if (this.tls) {
        const p = spawnSync("curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}",
          `${this.origin}/livez`], { encoding: "utf8" });
        if (p.stdout === "200") return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`hogod did not answer /livez within ${timeoutMs} ms: ${this.log}`);
  }

  url(path) { return this.origin + path; }

  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 10000);
      await this.exited;
      clearTimeout(t);
    }
    return this.exited;
  }
}

/** Chromium, once for every journey: headless, --no-sandbox when root. */
export async function launchBrowser() {
  const { chromium } = await import("playwright-core");
  const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

const axeCache = new Map();   // sha256 of a document's markup → its axe result
let axeText = null;
const axeSource = () => axeText ??= readFileSync(join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");

/** Finds inline script and style in the page's DOM (CSP forbids them; none may be written). */
function inlineCode() {
  const found = [];
  for (const s of document.querySelectorAll("script")) {
    found.push(s.src ? `<script src="${s.src}"> (no script is allowed by the CSP)` : "inline <script>");
  }
  for (const s of document.querySelectorAll("style")) found.push("inline <style>");
  for (const e of document.querySelectorAll("*")) {
    for (const a of e.getAttributeNames()) {
      if (a === "style" || a.startsWith("on"))
        found.push(`<${e.localName}> attribute ${a}="${e.getAttribute(a).slice(0, 40)}"`);
    }
  }
  for (const a of document.querySelectorAll("a[href^='javascript:' i]")) found.push("javascript: link");
  return found;
}

/**
 * One journey's run: its own browser context and page, the checks on every page it visits,
 * and the failures found. Journeys receive it as `t` (README.md lists what they may call).
 */
export class Journey {
  constructor({ name, browser, hogod, store, shots }) {
    this.name = name;
    this.browser = browser;
    this.hogod = hogod;
    this.store = store;
    this.shots = shots;
    this.failures = [];
    this.pages = [];          // every page checked: {step, url, title, status, axe: {...}}
    this.steps = new Set();
    this.contexts = [];
  }

  /** Records a failure; the journey goes on. */
  fail(message) { this.failures.push(message); }

  /** Records a failure unless `cond` holds; returns cond. */
  expect(cond, message) {
    if (!cond) this.fail(message);
    return !!cond;
  }

  /** A new browser context (its own cookies) on `hogod` (default: the journey's) with every
   *  check attached; returns its page. The journey's first page is `t.page`. */
  async newPage(hogod = this.hogod) {
    const context = await this.browser.newContext({
      ignoreHTTPSErrors: hogod.tls, locale: "ja-JP", viewport: { width: 1280, height: 800 },
    });
    // generous: a long page's full screenshot on a loaded machine takes many seconds; a
    // real hang is still ended by CTest's timeout
    context.setDefaultTimeout(60000);
    context.setDefaultNavigationTimeout(60000);
    const page = await context.newPage();
    const origin = new URL(hogod.origin);
    const state = { origin, hogod, unchecked: null, requests: [] };
    this.contexts.push(context);
    page.__hogo = state;
    context.on("request", (req) => {
      const u = req.url();
      state.requests.push(u);
      if (u.startsWith("data:") || u === "about:blank") return;
      let host;
      try { host = new URL(u).host; } catch { host = u; }
      if (host !== origin.host) this.fail(`request to a host other than hogod: ${req.method()} ${u}`);
    });
    context.on("response", (res) => {
      if (new URL(res.url()).host !== origin.host) return;
      const h = res.headers();
      for (const [name, want] of Object.entries(REQUIRED_HEADERS)) {
        if (h[name] !== want)
          this.fail(`${res.request().method()} ${res.url()} (${res.status()}): header ${name} is ` +
                    `${JSON.stringify(h[name] ?? null)}, expected ${JSON.stringify(want)}`);
      }
      const req = res.request();
      if (req.resourceType() !== "document" && res.status() >= 400)
        this.fail(`${req.resourceType()} ${res.url()} answered ${res.status()}`);
    });
    context.on("requestfailed", (req) => {
      this.fail(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
    });
    page.on("console", (m) => {
      // a failed load is judged by its status above (a page may be meant to answer 403)
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
        this.fail(`console error on ${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => this.fail(`script error on ${page.url()}: ${e.message}`));
    page.on("framenavigated", (frame) => {
      if (frame !== page.mainFrame()) return;
      if (state.unchecked)
        this.fail(`page ${state.unchecked} was visited but never checked (call t.check(step) ` +
                  "after every navigation)");
      state.unchecked = frame.url();
    });
    if (!this.page) this.page = page;
    return page;
  }

  /**
   * The checks of one page, under the name `step`: axe-core (serious or critical violations
   * fail, with rule, targets and help), no inline script or style, and a full-page screenshot
   * saved as <journey>-<step>.png.
   */
  async check(step, page = this.page) {
    const state = page.__hogo;
    if (this.steps.has(step)) this.fail(`step name "${step}" used twice: screenshots would collide`);
    this.steps.add(step);
    const t0 = Date.now();
    await page.waitForLoadState("load");
    const record = { step, url: page.url(), title: await page.title(), violations: [], minor: [] };
    this.pages.push(record);
    state.unchecked = null;
    // a document already checked in this run (the same markup but for csrf tokens, under the
    // same stylesheets) has the same axe result: it is reused, not computed again
    const markup = await page.evaluate(() => {
      const copy = document.documentElement.cloneNode(true);
      for (const i of copy.querySelectorAll("input[name=csrf]")) i.setAttribute("value", "");
      return copy.outerHTML;
    });
    const key = createHash("sha256").update(markup).digest("hex");
    let result = axeCache.get(key);
    const t1 = Date.now();
    if (!result) {
      if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource());
      result = await page.evaluate((tags) =>
        window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      AXE_TAGS);
      axeCache.set(key, result);
    }
    for (const v of result.violations) {
      const line = `${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")} — ${v.helpUrl}`;
      if (FAILING_IMPACTS.has(v.impact)) {
        record.violations.push(line);
        this.fail(`axe on ${step} (${record.url}): ${line}`);
      } else {
        record.minor.push(line);
      }
    }
    for (const found of await page.evaluate(inlineCode))
      this.fail(`${step} (${record.url}): ${found}`);
    const lang = await page.evaluate(() => document.documentElement.getAttribute("lang"));
    this.expect(lang, `${step} (${record.url}): <html> has no lang attribute`);
    const file = join(this.shots, `${this.name}-${step}.png`);
    const t2 = Date.now();
    await page.screenshot({ path: file, fullPage: true, timeout: 120000 });
    if (process.env.HOGO_TIMING) console.log(`timing ${step}: inject ${t1 - t0} axe ${t2 - t1} shot ${Date.now() - t2}`);
    if (!existsSync(file) || statSync(file).size === 0) throw new Error(`screenshot ${file} was not written`);
    record.screenshot = file;
    return record;
  }

  /** Goes to `path` on the page's hogod, expects the answer's status (200, or one of an
   *  array), checks the page. */
  async goto(path, step, { status = 200, page = this.page } = {}) {
    const res = await page.goto(page.__hogo.hogod.url(path));
    this.expect(res && [status].flat().includes(res.status()),
      `GET ${path}: status ${res && res.status()}, expected ${status}`);
    await this.check(step, page);
    return res;
  }

  /** Clicks `selector` (a Playwright selector or locator) and checks the page it leads to
   *  (after any redirect); expects its status (200, or one of an array). */
  async click(selector, step, { status = 200, page = this.page } = {}) {
    const loc = typeof selector === "string" ? page.locator(selector) : selector;
    const [res] = await Promise.all([page.waitForNavigation(), loc.click()]);
    this.expect(res && [status].flat().includes(res.status()),
      `${step}: clicking ${selector} led to status ${res && res.status()}, expected ${status} (${page.url()})`);
    await this.check(step, page);
    return res;
  }

  /** Checks the security headers of an answer the page did not navigate to (an
   *  APIRequestContext response: `t.page.request.get(...)`); `label` names it in failures. */
  checkHeaders(res, label) {
    const h = res.headers();
    for (const [name, want] of Object.entries(REQUIRED_HEADERS)) {
      this.expect(h[name] === want, `${label} (${res.status()}): header ${name} is ` +
        `${JSON.stringify(h[name] ?? null)}, expected ${JSON.stringify(want)}`);
    }
  }

  /**
   * Visits every GET page reachable by links from `start` whose path begins with `prefix`
   * (same origin, one visit per path and query; links that `skip` matches are left out), each
   * checked as step `<stepPrefix><path slug>`; answers that are not HTML (downloads) are
   * fetched with the page's cookies and their headers checked. `onPage(page, url)` runs on
   * each HTML page after its checks. When the page already shows `start`, just checked, it is
   * not visited twice. Returns the URLs visited.
   */
  async crawl(start, prefix, { stepPrefix = "", max = 80, skip = () => false, onPage = null,
                               page = this.page } = {}) {
    const hogod = page.__hogo.hogod;
    const queue = [hogod.url(start)], seen = new Set(queue), visited = [];
    const slugs = new Set();
    while (queue.length) {
      const url = queue.shift();
      if (visited.length >= max) {
        this.fail(`crawl from ${start}: more than ${max} pages; raise max or skip some`);
        break;
      }
      const u = new URL(url);
      const head = await page.request.get(url, { maxRedirects: 0 });
      this.checkHeaders(head, `GET ${u.pathname}${u.search}`);
      const type = head.headers()["content-type"] || "";
      if (head.status() >= 300 && head.status() < 400) continue; // a redirect: its target is linked too
      if (!type.startsWith("text/html")) {
        this.expect(head.status() === 200, `GET ${u.pathname}${u.search} answered ${head.status()}`);
        visited.push(url);
        continue;
      }
      let slug = (u.pathname.replace(/^\/|\/$/g, "").replace(/[^A-Za-z0-9_.-]+/g, "_") || "root") +
        (u.search ? "_" + u.search.slice(1).replace(/[^A-Za-z0-9_.-]+/g, "_") : "");
      for (let n = 2; slugs.has(slug); n++) slug = `${slug}-${n}`;
      slugs.add(slug);
      const last = this.pages[this.pages.length - 1];
      const here = visited.length === 0 && page.url() === url && !page.__hogo.unchecked &&
        last && last.url === url;
      if (!here) await this.goto(u.pathname + u.search, stepPrefix + slug, { page }); // else just checked
      visited.push(url);
      if (onPage) await onPage(page, url);
      const links = await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((a) => a.href));
      for (const l of links) {
        let v;
        try { v = new URL(l); } catch { this.fail(`${u.pathname}: bad link ${l}`); continue; }
        v.hash = "";
        if (v.origin !== u.origin || !v.pathname.startsWith(prefix) || skip(v)) continue;
        if (!seen.has(v.href)) {
          seen.add(v.href);
          queue.push(v.href);
        }
      }
    }
    return visited;
  }

  /** Runs `fn` (which must make the page navigate, e.g. submit a form from page.evaluate)
   *  and checks the page it leads to as `step`, expecting its status. */
  async navigate(fn, step, { status = 200, page = this.page } = {}) {
    const [res] = await Promise.all([page.waitForNavigation(), fn()]);
    this.expect(res && [status].flat().includes(res.status()),
      `${step}: led to status ${res && res.status()}, expected ${status} (${page.url()})`);
    await this.check(step, page);
    return res;
  }

  /** Adds a person through the CLI (see Store.person). */
  person(operator, subject) { return this.store.person(operator, subject); }

  /** Adds an officer through the CLI (see Store.officer). */
  officer(operator, name, role, password) { return this.store.officer(operator, name, role, password); }

  /** Checks the session cookie `name` of the page's context: HttpOnly, SameSite=Strict, the
   *  path, an expiry, and Secure exactly when hogod serves TLS. */
  async checkSessionCookie(name, path, page = this.page) {
    const all = await page.context().cookies();
    const c = all.find((x) => x.name === name);
    if (!this.expect(c, `no ${name} cookie after sign-in (cookies: ${all.map((x) => x.name).join(", ") || "none"})`))
      return;
    this.expect(c.httpOnly, `${name} cookie is not HttpOnly`);
    this.expect(c.sameSite === "Strict", `${name} cookie SameSite is ${c.sameSite}, expected Strict`);
    this.expect(c.path === path, `${name} cookie Path is ${c.path}, expected ${path}`);
    this.expect(c.expires > Date.now() / 1000, `${name} cookie has no expiry (Max-Age/Expires)`);
    this.expect(c.expires < Date.now() / 1000 + 9 * 3600,
      `${name} cookie lives longer than the 8 h absolute session limit`);
    this.expect(c.secure === page.__hogo.hogod.tls,
      `${name} cookie Secure is ${c.secure} on ${page.__hogo.hogod.tls ? "HTTPS" : "plain HTTP"}`);
  }

  /** Signs a person in with a fresh token (GET /center/signin?token=…), checks the cookie and
   *  the page it lands on (/center/) as `step`. */
  async signinPerson(person, step = "signin", page = this.page) {
    const token = this.store.token("person", person.operator, person.subject);
    const res = await page.goto(page.__hogo.hogod.url(`/center/signin?token=${encodeURIComponent(token)}`));
    this.expect(res && res.status() === 200 && new URL(page.url()).pathname === "/center/",
      `person sign-in landed on ${page.url()} with ${res && res.status()}, expected /center/ 200`);
    await this.checkSessionCookie("hogo_center", "/center/", page);
    await this.check(step, page);
  }

  /** Signs an officer in with a fresh token of kind officer (GET /console/signin?token=…),
   *  checks the cookie and the page it lands on (/console/) as `step`. */
  async signinOfficer(officer, step = "signin", page = this.page) {
    const token = this.store.token("officer", officer.operator, officer.name);
    const res = await page.goto(page.__hogo.hogod.url(`/console/signin?token=${encodeURIComponent(token)}`));
    this.expect(res && res.status() === 200 && new URL(page.url()).pathname === "/console/",
      `officer sign-in landed on ${page.url()} with ${res && res.status()}, expected /console/ 200`);
    await this.checkSessionCookie("hogo_console", "/console/", page);
    await this.check(step, page);
  }

  /** Ends the journey: fails for a page left unchecked, closes its contexts. */
  async close() {
    for (const ctx of this.contexts) {
      for (const p of ctx.pages()) {
        if (p.__hogo && p.__hogo.unchecked)
          this.fail(`page ${p.__hogo.unchecked} was visited but never checked (call t.check(step))`);
      }
      await ctx.close();
    }
  }
}

/** Makes the screenshot folder and removes the screenshots of an earlier run that `stale`
 *  (a file name test) selects; a folder that cannot be made is an error, never a skip. */
export function screenshotDir(root = ARTIFACTS, stale = () => false) {
  const dir = join(root, "screenshots");
  mkdirSync(dir, { recursive: true });
  accessSync(dir, constants.W_OK);
  for (const f of readdirSync(dir)) if (f.endsWith(".png") && stale(f)) rmSync(join(dir, f));
  return dir;
}

/**
 * Runs journeys (modules whose default export is {name, run(t)}) in one browser, `jobs` at a
 * time (HOGO_BROWSER_JOBS, default 2). Each journey gets its own store and hogod (so what one
 * journey stores never shows on another's pages), unless `hogod` and `store` are given, which
 * all then share. Prints each result with its pages' axe results when it ends; returns the
 * number that failed.
 */
export async function runJourneys(journeys, { browser, hogod, store, shots, log = console.log,
                                              jobs = Number(process.env.HOGO_BROWSER_JOBS) || 2 } = {}) {
  let failed = 0, next = 0;
  async function one(j) {
    const started = Date.now();
    const own = !hogod;
    let s = store, d = hogod, t;
    try {
      if (own) {
        s = new Store();
        d = await Hogod.start(s);
      }
      t = new Journey({ name: j.name, browser, hogod: d, store: s, shots });
      await t.newPage();
      await j.run(t);
    } catch (e) {
      t ??= new Journey({ name: j.name, browser, hogod: d, store: s, shots });
      t.fail(`stopped: ${e.stack || e}`);
    }
    try { await t.close(); } catch (e) { t.fail(`closing: ${e.message}`); }
    if (own && d) {
      const rc = await d.stop();
      if (rc !== 0) t.fail(`hogod exited ${rc} on SIGTERM: ${d.log.slice(-2000)}`);
      if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(d.log))
        t.fail(`hogod reported a sanitizer error:\n${d.log.slice(-4000)}`);
    }
    if (own && s) cleanScratch(s.dir);
    const minor = t.pages.reduce((n, p) => n + p.minor.length, 0);
    const ms = Date.now() - started;
    const lines = [];
    if (t.failures.length) {
      failed++;
      lines.push(`FAIL ${j.name} (${t.pages.length} pages, ${ms} ms)`);
      for (const f of t.failures) lines.push(`     ${f}`);
    } else {
      lines.push(`ok   ${j.name} (${t.pages.length} pages checked, ${minor} minor/moderate axe findings, ${ms} ms)`);
    }
    for (const p of t.pages) {
      lines.push(`       ${p.step}: ${p.url} — axe serious/critical ${p.violations.length}, minor/moderate ${p.minor.length}`);
      for (const m of p.minor) lines.push(`         (${m})`);
    }
    for (const l of lines) log(l);
    j.result = t;
  }
  async function worker() {
    while (next < journeys.length) await one(journeys[next++]);
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, journeys.length)) }, worker));
  return failed;
}

/** Removes a scratch folder (the store), unless HOGO_KEEP_SCRATCH is set. */
export function cleanScratch(dir) {
  if (!process.env.HOGO_KEEP_SCRATCH) rmSync(dir, { recursive: true, force: true });
}
