// Runs the browser journeys (journeys/*.journey.mjs, or the files named on the command line) in
// one headless chromium, each against its own real hogod over its own store made by the CLI,
// and prints one line per journey, every page checked with its axe result, and "N passed, N
// failed". Screenshots of an earlier run are removed first (the self-test's are left alone).
// Exit status: 0 all passed, 1 a journey failed, 77 skipped (chromium or the npm packages
// missing, said on stdout). Test layer; CTest runs it as browser/journeys.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { missingPrerequisite } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const why = missingPrerequisite();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}
const { HOGOD, launchBrowser, runJourneys, screenshotDir } = await import("./harness.mjs");

const files = process.argv.length > 2
  ? process.argv.slice(2).map((f) => resolve(f))
  : (existsSync(join(here, "journeys")) ? readdirSync(join(here, "journeys")) : []).filter((f) => f.endsWith(".journey.mjs")).sort()
      .map((f) => join(here, "journeys", f));
if (files.length === 0) {
  console.log("skipped: tests/browser/journeys holds no journey yet");
  process.exit(77);
}
const journeys = [];
for (const f of files) {
  const m = (await import(pathToFileURL(f).href)).default;
  if (!m || typeof m.name !== "string" || typeof m.run !== "function") {
    console.log(`FAIL ${f}: the default export must be {name, run(t)}`);
    process.exit(1);
  }
  if (journeys.some((j) => j.name === m.name)) {
    console.log(`FAIL ${f}: journey name ${m.name} used twice`);
    process.exit(1);
  }
  journeys.push(m);
}

const started = Date.now();
const shots = screenshotDir(undefined, (f) => !f.startsWith("selftest-"));
let browser, failed = journeys.length;
try {
  browser = await launchBrowser();
  console.log(`chromium ${browser.version()}, ${process.env.HOGO_BROWSER_JOBS || 2} journeys at a time, ` +
              `each with its own hogod (${HOGOD}) and store; screenshots in ${shots}`);
  failed = await runJourneys(journeys, { browser, shots });
} catch (e) {
  console.log(`FAIL harness: ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
}
console.log(`browser journeys took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${journeys.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
