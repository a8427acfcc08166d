"""Our SARIF output validates against the SARIF 2.1.0 JSON schema (Draft-07), for every fixture
app, and its rule references are consistent (ruleIndex points at the rule named by ruleId)."""
import json
import os
import subprocess
import sys
import unittest

import jsonschema

FUNCPACK, SOURCE, SCHEMA = sys.argv[1:4]
del sys.argv[1:4]

APPS = [
    "fixtures/apps/clean",
    "fixtures/apps/messy",
    "fixtures/apps/monorepo/apps/orders",
    "fixtures/apps/monorepo/apps/billing",
]


def sarif(app):
    r = subprocess.run([FUNCPACK, "lint", app, "--format", "sarif", "--today", "2026-11-24"],
                       cwd=SOURCE, capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


class SarifSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        cls.validator = jsonschema.Draft7Validator(schema)

    def test_every_fixture_validates(self):
        for app in APPS:
            with self.subTest(app=app):
                doc = sarif(app)
                errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.path))
                self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors], [])

    def test_schema_rejects_a_broken_document(self):
        # The check can fail: a region with a 0 line is invalid SARIF.
        doc = sarif("fixtures/apps/messy")
        located = [r for r in doc["runs"][0]["results"] if "region" in
                   r.get("locations", [{}])[0].get("physicalLocation", {})]
        located[0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
        self.assertFalse(self.validator.is_valid(doc))

    def test_rule_index_matches_rule_id(self):
        doc = sarif("fixtures/apps/messy")
        rules = doc["runs"][0]["tool"]["driver"]["rules"]
        results = doc["runs"][0]["results"]
        self.assertGreater(len(results), 10)
        for r in results:
            self.assertEqual(rules[r["ruleIndex"]]["id"], r["ruleId"])
        listed = subprocess.run([FUNCPACK, "rules"], capture_output=True, text=True).stdout
        self.assertEqual([line.split()[0] for line in listed.splitlines()],
                         [rule["id"] for rule in rules])


if __name__ == "__main__":
    unittest.main()
