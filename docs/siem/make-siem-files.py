#!/usr/bin/env python3
"""Writes safeload-index-template.json and safeload-kibana-dashboard.ndjson in this folder.

The index template maps every field the agent writes (README, "Violation log"); the Kibana
saved objects are a data view on safeload-* and a dashboard of agg-based visualizations, which
every Kibana 8 imports. Run it again after changing a field; SiemFilesTest checks the result
against events written by a real agent.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

KEYWORD = {"type": "keyword", "ignore_above": 1024}
TEXT = {"type": "text"}
LONG = {"type": "long"}
BOOLEAN = {"type": "boolean"}

# Flat ECS names, as the agent writes them; nested below as Elasticsearch stores them.
FIELDS = {
    "@timestamp": {"type": "date"},
    "log.level": KEYWORD,
    "message": TEXT,
    "ecs.version": KEYWORD,
    "event.kind": KEYWORD,
    "event.action": KEYWORD,
    "event.category": KEYWORD,
    "event.type": KEYWORD,
    "event.outcome": KEYWORD,
    "event.module": KEYWORD,
    "event.dataset": KEYWORD,
    "rule.name": KEYWORD,
    "rule.ruleset": KEYWORD,
    "host.name": KEYWORD,
    "process.pid": LONG,
    "process.thread.name": KEYWORD,
    "service.name": KEYWORD,
    "service.version": KEYWORD,
    "service.environment": KEYWORD,
    "error.stack_trace": TEXT,
    "error.message": TEXT,
    "file.path": KEYWORD,
    "file.hash.sha256": KEYWORD,
    "safeload.mode": KEYWORD,
    "safeload.previous_mode": KEYWORD,
    "safeload.requested_mode": KEYWORD,
    "safeload.stream": KEYWORD,
    "safeload.version": KEYWORD,
    "safeload.policy_source": KEYWORD,
    "safeload.policy_digest": KEYWORD,
    "safeload.policy_rule": KEYWORD,
    "safeload.entry_point": KEYWORD,
    "safeload.call_site": KEYWORD,
    "safeload.library_frame": KEYWORD,
    "safeload.class": KEYWORD,
    "safeload.class_found": BOOLEAN,
    "safeload.nested": BOOLEAN,
    "safeload.depth": LONG,
    "safeload.refs": LONG,
    "safeload.bytes": LONG,
    "safeload.array_length": LONG,
    "safeload.suppressed": LONG,
    "safeload.rate_key": KEYWORD,
    "safeload.format": KEYWORD,
    "safeload.verdict": KEYWORD,
    "safeload.library": KEYWORD,
    "safeload.findings.rule": KEYWORD,
    "safeload.findings.severity": KEYWORD,
    "safeload.findings.location": KEYWORD,
    "safeload.findings.message": TEXT,
}


def nested(fields):
    root = {}
    for name, mapping in fields.items():
        parts = name.split(".") if name != "@timestamp" else [name]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {"properties": {}})["properties"]
        node[parts[-1]] = dict(mapping)
    return root


template = {
    "index_patterns": ["safeload-*"],
    "priority": 200,
    "_meta": {"description": "Safeload violation log (ECS JSON lines), see README 'Violation log'"},
    "template": {
        "settings": {"index": {"number_of_shards": 1}},
        "mappings": {
            "dynamic_templates": [
                {"strings_as_keywords": {"match_mapping_type": "string",
                                         "mapping": {"type": "keyword", "ignore_above": 1024}}}
            ],
            "properties": nested(FIELDS),
        },
    },
}
with open(os.path.join(HERE, "safeload-index-template.json"), "w") as f:
    json.dump(template, f, indent=2)
    f.write("\n")

DATA_VIEW = "safeload-violations"
SEARCH_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def search(query):
    return {"searchSourceJSON": json.dumps({"query": {"query": query, "language": "kuery"},
                                            "filter": [], "indexRefName": SEARCH_REF})}


def count():
    return {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}}


def terms(agg_id, field, size, schema, label):
    return {"id": agg_id, "enabled": True, "type": "terms", "schema": schema,
            "params": {"field": field, "size": size, "order": "desc", "orderBy": "1",
                       "otherBucket": True, "otherBucketLabel": "other",
                       "missingBucket": True, "missingBucketLabel": "(not set)", "customLabel": label}}


def table(vis_id, title, field, label, size=20):
    return vis(vis_id, title, "event.kind:alert", {
        "type": "table",
        "params": {"perPage": 20, "showPartialRows": False, "showMetricsAtAllLevels": False,
                   "showTotal": True, "totalFunc": "sum", "percentageCol": ""},
        "aggs": [count(), terms("2", field, size, "bucket", label)],
    })


def vis(vis_id, title, query, state):
    state = dict(state, title=title)
    return {
        "type": "visualization", "id": vis_id,
        "attributes": {"title": title, "description": "", "version": 1, "uiStateJSON": "{}",
                       "visState": json.dumps(state), "kibanaSavedObjectMeta": search(query)},
        "references": [{"name": SEARCH_REF, "type": "index-pattern", "id": DATA_VIEW}],
    }


over_time = vis("safeload-alerts-over-time", "Safeload: refusals and audits over time", "event.kind:alert", {
    "type": "histogram",
    "params": {
        "type": "histogram", "grid": {"categoryLines": False},
        "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True,
                          "style": {}, "scale": {"type": "linear"},
                          "labels": {"show": True, "filter": True, "truncate": 100}, "title": {}}],
        "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left",
                       "show": True, "style": {}, "scale": {"type": "linear", "mode": "normal"},
                       "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
                       "title": {"text": "Events written"}}],
        "seriesParams": [{"show": True, "type": "histogram", "mode": "stacked",
                          "data": {"label": "Events written", "id": "1"}, "valueAxis": "ValueAxis-1",
                          "drawLinesBetweenPoints": True, "lineWidth": 2, "showCircles": True}],
        "addTooltip": True, "addLegend": True, "legendPosition": "right", "times": [],
        "addTimeMarker": False, "labels": {"show": False},
        "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full", "color": "#E7664C"},
    },
    "aggs": [
        count(),
        {"id": "2", "enabled": True, "type": "date_histogram", "schema": "segment",
         "params": {"field": "@timestamp", "interval": "auto", "min_doc_count": 1, "extended_bounds": {},
                    "customLabel": "time"}},
        terms("3", "event.action", 5, "group", "action"),
    ],
})

by_service = vis("safeload-alerts-by-service", "Safeload: refusals and audits by service", "event.kind:alert", {
    "type": "pie",
    "params": {"type": "pie", "addTooltip": True, "addLegend": True, "legendPosition": "right",
               "isDonut": True, "labels": {"show": True, "values": True, "last_level": True, "truncate": 100}},
    "aggs": [count(), terms("2", "service.name", 20, "segment", "service")],
})

visualizations = [
    over_time,
    table("safeload-top-classes", "Safeload: top refused classes", "safeload.class", "class"),
    table("safeload-top-call-sites", "Safeload: top call sites", "safeload.call_site", "call site"),
    by_service,
    table("safeload-top-rules", "Safeload: top rules", "rule.name", "rule", 10),
    table("safeload-top-model-files", "Safeload: top refused model files", "file.path", "model file"),
]

layout = [(0, 0, 48, 14), (0, 14, 24, 16), (24, 14, 24, 16), (0, 30, 16, 14), (16, 30, 16, 14), (32, 30, 16, 14)]
panels = []
references = []
for i, (v, (x, y, w, h)) in enumerate(zip(visualizations, layout)):
    panels.append({"version": "8.11.0", "type": "visualization", "panelIndex": str(i + 1),
                   "gridData": {"x": x, "y": y, "w": w, "h": h, "i": str(i + 1)},
                   "embeddableConfig": {}, "panelRefName": "panel_%d" % i})
    references.append({"name": "panel_%d" % i, "type": "visualization", "id": v["id"]})

dashboard = {
    "type": "dashboard", "id": "safeload-violations-overview",
    "attributes": {
        "title": "Safeload violations",
        "description": "Refusals and audits written by the Safeload agent (counts are lines written; "
                       "`safeload report` adds the events the rate limit held back)",
        "panelsJSON": json.dumps(panels),
        "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
        "timeRestore": True, "timeFrom": "now-7d", "timeTo": "now",
        "refreshInterval": {"pause": True, "value": 0},
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"},
                                                                  "filter": []})},
    },
    "references": references,
}

data_view = {"type": "index-pattern", "id": DATA_VIEW,
             "attributes": {"title": "safeload-*", "timeFieldName": "@timestamp", "name": "Safeload violations"},
             "references": []}

with open(os.path.join(HERE, "safeload-kibana-dashboard.ndjson"), "w") as f:
    for obj in [data_view] + visualizations + [dashboard]:
        f.write(json.dumps(obj, separators=(",", ":")) + "\n")
