#!/usr/bin/env python3
"""Independent ERPNext webhook vectors: the body is Python's json.dumps(data) (what Frappe sends), the
signature base64(HMAC-SHA256(secret, body)). The "template" vector renders the README's recommended
Webhook JSON (webhook-template.jinja) the way Frappe does: sandboxed Jinja, then json.loads, then json.dumps.
Regenerate with: python3 test/vectors/generate.py   (needs jinja2)"""
import base64, datetime, hashlib, hmac, json, os

from jinja2.sandbox import SandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))


class Utils:
    """The one frappe.utils function the template uses, at a fixed instant."""

    @staticmethod
    def get_datetime_in_timezone(tz):
        assert tz == "UTC"
        return datetime.datetime(2026, 11, 25, 17, 16, 53, 1, tzinfo=datetime.timezone.utc)


class Frappe:
    utils = Utils()


def render_template():
    with open(os.path.join(HERE, "webhook-template.jinja"), encoding="utf8") as f:
        template = f.read()
    # Frappe's Webhook renders doc.as_dict(convert_dates_to_str=True): modified is a string.
    doc = {"doctype": "Student", "name": "EDU-STU-0001", "modified": "2026-11-25 17:16:52.123456"}
    rendered = SandboxedEnvironment().from_string(template).render(doc=doc, frappe=Frappe())
    return json.loads(rendered)

CASES = [
    ("contract", "secret", {"name": "CUST-0001", "grand_total": 100.0, "city": "Z\u00fcrich"}),
    ("unicode", "s3cr\u00e9t-\u043a\u043b\u044e\u0447", {"student_name": "Zo\u00eb \u00c5sa \u5f20\u4f1f", "emoji": "\U0001F393", "ctrl": "tab\tnew\nline\u007f", "quote": "\"\\/"}),
    ("floats", "k", {"a": 100.0, "b": 0.1, "c": -0.0, "d": 1e16, "e": 1.5e-05, "f": 123456.789, "g": 1e-4, "h": 2.5e+300, "i": 0.0, "j": 1e15}),
    ("nested", "rotate-me-2026", {"doctype": "Student Group", "name": "EDU-SG-0001", "students": [{"student": "EDU-STU-0001", "active": 1, "idx": 1}, {"student": "EDU-STU-0002", "active": 0, "idx": 2}], "meta": {"empty_list": [], "empty_obj": {}, "none": None, "flag": True, "n": -42}}),
    ("template", "secret", render_template()),
    ("array", "secret", [1, 2.0, "three", None]),
    ("empty", "secret", {}),
]

out = []
for name, secret, data in CASES:
    body = json.dumps(data)
    sig = base64.b64encode(hmac.new(secret.encode("utf8"), body.encode("utf8"), hashlib.sha256).digest()).decode()
    out.append({"name": name, "secret": secret, "body": body, "signature": sig,
                "sha256": hashlib.sha256(body.encode("utf8")).hexdigest()})

path = os.path.join(HERE, "erpnext-vectors.json")
with open(path, "w", encoding="utf8") as f:
    json.dump(out, f, indent=2, ensure_ascii=True)
    f.write("\n")
