// Checks an OpenAPI description: validates it against the OpenAPI 3.1 schema
// (@seriousme/openapi-schema-validator) and prints each operation as "METHOD PATH" on stdout,
// for the comparison with hogod's route table (tests/http/test_openapi.py). Test layer.
// usage: node check.mjs docs/openapi.yaml   (exit 0 valid, 1 invalid)
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import YAML from "yaml";

const file = process.argv[2];
const text = readFileSync(file, "utf8");
const validator = new Validator();
const result = await validator.validate(YAML.parse(text));
if (!result.valid) {
  console.error(`${file}: not a valid OpenAPI ${validator.version} description:`);
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
if (validator.version !== "3.1") {
  console.error(`${file}: OpenAPI ${validator.version}, expected 3.1`);
  process.exit(1);
}
const doc = YAML.parse(text);
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of ["get", "put", "post", "delete", "patch", "head", "options"]) {
    if (item[method]) console.log(`${method.toUpperCase()} ${path}`);
  }
}
