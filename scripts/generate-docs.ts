/** `npm run docs`: regenerates the README's settings and rule tables and the JSON Schema from the code. */
import { readFileSync, writeFileSync } from "node:fs";
import { configJsonSchema, configTable, replaceSection, rulesTable } from "../src/config/config-reference.js";

const readme = readFileSync("README.md", "utf8");
writeFileSync("README.md", replaceSection(replaceSection(readme, "config-table", configTable()), "rules-table", rulesTable()));
writeFileSync("backend-agent.schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("README.md and backend-agent.schema.json regenerated");
