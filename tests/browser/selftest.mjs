// Proves that the browser harness fails for real: each check is run once on a page made to
// break it (an unlabeled input, a missing security header, inline style, a request to another
// host, a page left unchecked, a weak session cookie, a screenshot folder that cannot be
// written, a missing <html lang>), and once on a page that passes everything. The pages are
// served under the real hogod's origin by the browser's request interception, so the same
// listeners see them as they see hogod's own pages. Exit 0 when every breakage was caught, 1
// otherwise, 77 when chromium or the npm packages are missing. Test layer; CTest runs it as
// browser/selftest.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { missingPrerequisite, REQUIRED_HEADERS } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const why = missingPrerequisite();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}
const { Store, Hogod, launchBrowser, runJourneys, screenshotDir, cleanScratch } =
  await import("./harness.mjs");

let passed = 0, failed = 0;
function check(name, cond, detail = "") {
  if (cond) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    if (detail) console.log(`     ${String(detail).slice(0, 1500)}`);
  }
}

const CSS = "body { font-family: sans-serif; color: #111; background: #fff; }\n";
function html(body, { lang = ' lang="ja"', head = "" } = {}) {
  return `<!doctype html><html${lang}><head><meta charset="utf-8"><title>自己試験</title>` +
    `<link rel="stylesheet" href="/selftest/hogo.css">${head}</head>` +
    `<body><header><a href="#main">本文へ</a></header><main id="main"><h1>プライバシーセンター 自己試験</h1>` +
    `${body}</main></body></html>`;
}

/** Serves `pages` (path → {body, headers?, status?}) and the stylesheet under hogod's origin. */
async function serve(t, pages, extraHeaders = {}) {
  const origin = t.hogod.origin;
  await t.page.context().route(`${origin}/selftest/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/selftest/hogo.css")
      return route.fulfill({ status: 200, contentType: "text/css", headers: REQUIRED_HEADERS, body: CSS });
    const p = pages[path];
    if (!p) return route.fulfill({ status: 404, headers: REQUIRED_HEADERS, body: "no such page" });
    return route.fulfill({
      status: p.status ?? 200, contentType: p.contentType ?? "text/html; charset=utf-8",
      headers: { ...REQUIRED_HEADERS, ...extraHeaders, ...(p.headers || {}) }, body: p.body,
    });
  });
}

const good = html('<form method="post" action="/selftest/good"><label for="q">会社名</label>' +
  '<input id="q" name="q"><button>検索</button></form>');

// Each case: a journey, and the failure message it must produce (null: it must pass).
const cases = [
  {
    name: "selftest-good", expect: null,
    async run(t) {
      await serve(t, { "/selftest/good": { body: good } });
      await t.goto("/selftest/good", "page");
    },
  },
  {
    name: "selftest-unlabeled", expect: /axe on page .*label \(critical\)|axe on page .*label/,
    async run(t) {
      await serve(t, { "/selftest/bad": { body: html('<form><input name="q"><button>検索</button></form>') } });
      await t.goto("/selftest/bad", "page");
    },
  },
  {
    name: "selftest-contrast", expect: /color-contrast \(serious\)/,
    async run(t) {
      await serve(t, { "/selftest/pale.css": { contentType: "text/css", body: "p { color: #bbb; }" },
        "/selftest/pale": { body: html("<p>薄い文字</p>", {
        head: '<link rel="stylesheet" href="/selftest/pale.css">' }) } });
      await t.goto("/selftest/pale", "page");
    },
  },
  {
    name: "selftest-no-csp", expect: /header content-security-policy is null/,
    async run(t) {
      await serve(t, { "/selftest/nocsp": { body: good } });
      await t.page.context().unrouteAll();
      await t.page.context().route(`${t.hogod.origin}/selftest/**`, (r) => r.fulfill({
        status: 200, contentType: "text/html; charset=utf-8",
        headers: { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
                   "cache-control": "no-store" },
        body: good.replace('<link rel="stylesheet" href="/selftest/hogo.css">', "") }));
      await t.goto("/selftest/nocsp", "page");
    },
  },
  {
    name: "selftest-inline-style", expect: /attribute style=/,
    async run(t) {
      await serve(t, { "/selftest/inline": { body: html('<p style="color:#000">インライン</p>') } });
      await t.goto("/selftest/inline", "page");
    },
  },
  {
    name: "selftest-inline-script", expect: /inline <script>/,
    async run(t) {
      await serve(t, { "/selftest/script": { body: html("<script>document.title='x'</script><p>本文</p>") } });
      await t.goto("/selftest/script", "page");
    },
  },
  {
    name: "selftest-foreign-host", expect: /request to a host other than hogod: GET http:\/\/tracker\.example\.com\/pixel\.png/,
    async run(t) {
      // the CSP would stop the image, so this page loosens img-src to reach the request check
      await t.page.context().route("http://tracker.example.com/**", (r) => r.fulfill({
        status: 200, contentType: "image/png", body: Buffer.alloc(0) }));
      await serve(t, { "/selftest/foreign": { body: html('<p>画像</p><img alt="追跡" src="http://tracker.example.com/pixel.png">'),
        headers: { "content-security-policy": "default-src 'none'; style-src 'self'; img-src *" } } });
      await t.goto("/selftest/foreign", "page");
    },
  },
  {
    name: "selftest-unchecked", expect: /page .*\/selftest\/first was visited but never checked/,
    async run(t) {
      await serve(t, { "/selftest/first": { body: good }, "/selftest/second": { body: good } });
      await t.page.goto(`${t.hogod.origin}/selftest/first`);
      await t.goto("/selftest/second", "second");
    },
  },
  {
    name: "selftest-status", expect: /GET \/selftest\/missing: status 404, expected 200/,
    async run(t) {
      await serve(t, {});
      await t.goto("/selftest/missing", "page");
    },
  },
  {
    name: "selftest-no-lang", expect: /has no lang attribute/,
    async run(t) {
      await serve(t, { "/selftest/nolang": { body: html("<p>言語なし</p>", { lang: "" }) } });
      await t.goto("/selftest/nolang", "page");
    },
  },
  {
    name: "selftest-weak-cookie",
    expect: /hogo_center cookie is not HttpOnly[\s\S]*SameSite is Lax[\s\S]*has no expiry/,
    async run(t) {
      await serve(t, { "/selftest/cookie": { body: good,
        headers: { "set-cookie": "hogo_center=abc; Path=/center/; SameSite=Lax" } } });
      await t.goto("/selftest/cookie", "page");
      await t.checkSessionCookie("hogo_center", "/center/");
    },
  },
  {
    name: "selftest-same-step", expect: /step name "page" used twice/,
    async run(t) {
      await serve(t, { "/selftest/good": { body: good } });
      await t.goto("/selftest/good", "page");
      await t.goto("/selftest/good", "page");
    },
  },
];

const started = Date.now();
const shots = screenshotDir(undefined, (f) => f.startsWith("selftest-"));
const store = new Store();
let hogod, browser;
try {
  // the fixture itself: a store made by the CLI, a person, a live hogod on a free port
  store.person("irp", "selftest-person");
  const listed = store.hogo("subject", "show", "selftest-person").stdout;
  check("the CLI made a store holding the person", listed.includes("selftest-person"), listed);
  hogod = await Hogod.start(store);
  const live = await fetch(hogod.url("/livez"));
  check("hogod answers on its free port", live.status === 200, live.status);
  browser = await launchBrowser();

  const lines = [];
  await runJourneys(cases, { browser, hogod, store, shots, log: (l) => lines.push(l) });
  if (process.env.HOGO_VERBOSE) console.log(lines.join("\n"));
  for (const c of cases) {
    const text = c.result.failures.join("\n");
    if (c.expect === null) {
      check(`${c.name}: a page meeting every rule passes`, c.result.failures.length === 0, text);
      const png = join(shots, `${c.name}-page.png`);
      check(`${c.name}: its full-page screenshot is a PNG`, existsSync(png) && statSync(png).size > 1000 &&
        readFileSync(png).subarray(1, 4).toString() === "PNG", png);
    } else {
      check(`${c.name}: fails with ${c.expect}`, c.expect.test(text), text || "(no failure recorded)");
    }
  }

  // a screenshot folder that cannot be written is an error, not a silent skip
  let thrown = null;
  try { screenshotDir("/dev/null/artifacts"); } catch (e) { thrown = e; }
  check("an artefact folder that cannot be made throws", thrown !== null);
  const nowhere = [{ name: "selftest-no-shots", async run(t) {
    await serve(t, { "/selftest/good": { body: good } });
    await t.goto("/selftest/good", "page");
  } }];
  await runJourneys(nowhere, { browser, hogod, store, shots: "/dev/null/screenshots", log: () => {} });
  check("a journey whose screenshot cannot be saved fails",
    /stopped:[\s\S]*(ENOTDIR|ENOENT|not a directory|screenshot)/i.test(nowhere[0].result.failures.join("\n")),
    nowhere[0].result.failures.join("\n") || "(no failure recorded)");
} catch (e) {
  check("the self-test ran", false, e.stack || e);
} finally {
  if (browser) await browser.close();
  if (hogod) await hogod.stop();
  cleanScratch(store.dir);
}

// the journey runner says why it skips when chromium is missing
const skip = spawnSync("node", [join(here, "run.mjs")], {
  env: { ...process.env, HOGO_CHROMIUM: "/nonexistent/chromium" }, encoding: "utf8" });
check("run.mjs exits 77 saying why when chromium is missing",
  skip.status === 77 && /skipped: \/nonexistent\/chromium is not installed/.test(skip.stdout),
  `${skip.status} ${skip.stdout}${skip.stderr}`);

console.log(`self-test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
