"""The HTML run report on real trained runs: every section, real numbers, self-contained, valid figures."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from studio.inspection.report import build_report, render_report, svg
from studio.inspection.report.sections import number
from studio.inspection.run import RunError, open_run
from tests.gui.inspect.conftest import train_run

SVG_NS = "http://www.w3.org/2000/svg"
SECTION_KEYS = (
    "overview", "metrics", "curves", "confusion", "per-class", "roc-pr",
    "mistakes", "gradcam", "embedding", "doctor",
)  # fmt: skip


def section(html: str, key: str) -> str:
    match = re.search(rf'<section id="{re.escape(key)}">(.*?)</section>', html, re.S)
    assert match, f"no section {key!r}"
    return match.group(1)


def svgs(fragment: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg.*?</svg>", fragment, re.S)]


def images(fragment: str) -> list:
    from PIL import Image

    found = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', fragment):
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        image.load()  # decodes every pixel: a broken PNG raises here
        found.append(image)
    return found


def confusion_counts(fragment: str) -> np.ndarray:
    """The matrix read back from the heatmap's cell tooltips ("true → predicted: count")."""
    (root,) = svgs(fragment)
    cells = [t.text for t in root.iter(f"{{{SVG_NS}}}title")]
    return np.array([int(c.rsplit(":", 1)[1]) for c in cells])


def note(html: str, key: str) -> str:
    match = re.search(r'<p class="note">(.*?)</p>', section(html, key))
    return match.group(1) if match else ""


def assert_self_contained(html: str) -> None:
    assert not re.search(r"https?://", html.replace(SVG_NS, "")), "a link to the network"
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', html))
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', html))
    for pattern in ("<link", "<script", "@import", "url("):
        assert pattern not in html


def summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


# ---------------------------------------------------------------- runs
@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory) -> Path:
    """The MLP template on moons, 2 epochs: binary, no spatial layers, vector inputs."""
    return train_run("mlp", tmp_path_factory.mktemp("mlp") / "run", epochs=2)


@pytest.fixture(scope="module")
def mlp_report(mlp_run):
    # "last": the weights summary.json's test metrics were computed with.
    return render_report(mlp_run, checkpoint="last", strict=True)


@pytest.fixture(scope="module")
def lenet_run(tmp_path_factory) -> Path:
    return train_run("lenet5", tmp_path_factory.mktemp("lenet") / "run", epochs=1)


@pytest.fixture(scope="module")
def lenet_page(lenet_run, tmp_path_factory) -> tuple[Path, str]:
    out = build_report(lenet_run, tmp_path_factory.mktemp("out") / "report.html", strict=True)
    return out, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def regression_run(tmp_path_factory) -> Path:
    """The MLP graph with one output, regressing a linear function of two CSV columns."""
    from studio.data import load_dataset
    from studio.templates.catalog import get_template
    from studio.training.loop import Trainer

    folder = tmp_path_factory.mktemp("regression")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = 2 * x[:, 0] - x[:, 1] + 0.1 * rng.normal(size=200)
    table = folder / "table.csv"
    rows = (f"{a:.4f},{b:.4f},{t:.4f}" for (a, b), t in zip(x, y, strict=True))
    table.write_text("a,b,y\n" + "\n".join(rows))
    project = get_template("mlp").build()
    project.data = {"dataset": "csv", "path": str(table), "target": "y"}
    project.graph.set_param(project.graph.node_by_name("logits").id, "out_features", 1)
    project.training = {**project.training, "task": "regression", "loss": "mse", "epochs": 2}
    Trainer(project, load_dataset(dict(project.data), seed=0), project.training, folder / "run").fit()
    return folder / "run"


# ---------------------------------------------------------------- MLP / moons
def test_every_section_is_drawn_or_explained(mlp_report) -> None:
    html = mlp_report.html
    assert mlp_report.failures == []
    for key in SECTION_KEYS:
        section(html, key)
    assert "no spatial layers" in note(html, "gradcam")
    assert "<img" not in section(html, "gradcam")
    assert_self_contained(html)
    for root in svgs(html):  # every figure is well-formed XML with a size
        assert root.tag == f"{{{SVG_NS}}}svg" and float(root.get("width")) > 0


def test_overview_and_metrics_show_the_run(mlp_run, mlp_report) -> None:
    html, s = mlp_report.html, summary(mlp_run)
    overview = section(html, "overview")
    assert "<dd>354</dd>" in overview  # the MLP template's parameter count
    assert f"<dd>{s['epochs']} of 2</dd>" in overview and s["status"] in overview
    assert "last (epoch 2)" in overview
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"<tr><td>([^<]+)</td>(.*?)</tr>", section(html, "metrics"))
    }
    cells = re.findall(r"<td>([^<]+)</td>", rows["accuracy"])
    assert cells == [number(s["metrics"][k]["accuracy"]) for k in ("train", "val", "test")]


def test_confusion_matrix_counts_the_split(mlp_run, mlp_report) -> None:
    html = mlp_report.html
    run = open_run(mlp_run, "last")
    counts = confusion_counts(section(html, "confusion"))
    assert counts.size == 4 and counts.sum() == len(run.split("test"))
    accuracy = (counts[0] + counts[3]) / counts.sum()
    # The page's accuracy is the diagonal's share and equals what the trainer recorded.
    assert f"accuracy <b>{number(accuracy)}</b>" in section(html, "confusion")
    assert number(accuracy) == number(summary(mlp_run)["metrics"]["test"]["accuracy"])
    per_class = section(html, "per-class")
    assert per_class.count("<tr>") == 1 + 2 + 1  # header, two classes, macro average
    assert number(summary(mlp_run)["metrics"]["test"]["macro_f1"]) in per_class


def test_binary_task_gets_roc_and_pr_with_their_areas(mlp_run, mlp_report) -> None:
    from sklearn.metrics import average_precision_score, roc_auc_score

    from studio.inspection.evaluation import predict_dataset

    run = open_run(mlp_run, "last")
    preds = predict_dataset(run.model, run.split("test"))
    auc = roc_auc_score(preds.targets, preds.probabilities[:, 1])
    ap = average_precision_score(preds.targets, preds.probabilities[:, 1])
    fragment = section(mlp_report.html, "roc-pr")
    assert len(svgs(fragment)) == 2
    assert f"AUC {auc:.3f}" in fragment and f"AP {ap:.3f}" in fragment
    assert 0.5 < auc <= 1


def test_curves_have_one_point_per_epoch(mlp_run, mlp_report) -> None:
    loss, metric = svgs(section(mlp_report.html, "curves"))
    epochs = [r for r in open_run(mlp_run).metrics()]
    for chart in (loss, metric):
        lines = chart.findall(f"{{{SVG_NS}}}polyline")
        data = [p for p in lines if p.get("stroke") != svg.FRAME]
        assert len(data) == 2  # train and val
        assert all(len(p.get("points").split()) == len(epochs) for p in data)
    assert "Accuracy per epoch" in ET.tostring(metric, encoding="unicode")


def test_mistakes_table_lists_wrong_predictions_most_confident_first(mlp_report) -> None:
    fragment = section(mlp_report.html, "mistakes")
    rows = re.findall(r"<tr><td>(\d+)</td><td class=\"text\">(\w+)</td><td class=\"text\">(\w+)</td>"
                      r"<td>(\d+)%</td>", fragment)  # fmt: skip
    assert rows and all(true != pred for _, true, pred, _ in rows)
    confidences = [int(c) for *_, c in rows]
    assert confidences == sorted(confidences, reverse=True) and confidences[-1] >= 50


def test_embedding_plots_every_test_point_and_rings_the_mistakes(mlp_run, mlp_report) -> None:
    run = open_run(mlp_run, "last")
    n = len(run.split("test"))
    counts = confusion_counts(section(mlp_report.html, "confusion"))
    wrong = int(counts.sum() - counts[0] - counts[3])
    fragment = section(mlp_report.html, "embedding")
    maps = svgs(fragment)
    assert len(maps) == 2  # PCA and, for 100 points, t-SNE by default
    for chart in maps:
        circles = chart.findall(f"{{{SVG_NS}}}circle")
        assert sum(c.get("r") == "2.8" for c in circles) == n
        assert sum(c.get("r") == "4.6" and c.get("fill") == "none" for c in circles) == wrong + 1  # + legend
    assert "relu_2" in fragment  # the input of the head, logits


def test_tsne_can_be_switched_off(mlp_run) -> None:
    report = render_report(mlp_run, tsne=False, strict=True)
    fragment = section(report.html, "embedding")
    assert len(svgs(fragment)) == 1 and "t-SNE switched off" in fragment


def test_doctor_findings_are_listed_most_severe_first(mlp_run, tmp_path) -> None:
    from studio.doctor import Finding

    run = tmp_path / "run"
    shutil.copytree(mlp_run, run)
    info = Finding("slow_iteration", "info", "one step takes 1 s.", "Find the bottleneck.", None, 1, 3)
    message = "the loss became NaN <at step 7>."
    error = Finding("nan_loss", "error", message, "Lower the lr.", "linear_1", 2, 7)
    lines = [json.dumps(info.to_dict()), json.dumps(error.to_dict()), json.dumps(info.to_dict()), '{"torn']
    (run / "doctor.jsonl").write_text("\n".join(lines))
    fragment = section(render_report(run, strict=True).html, "doctor")
    assert fragment.index("became NaN") < fragment.index("one step takes 1 s.")
    assert "the loss became NaN &lt;at step 7&gt;." in fragment and "Lower the lr." in fragment
    assert '<span class="badge error">' in fragment and "linear_1" in fragment
    assert "×2" in fragment  # the repeated finding is folded into one row
    (run / "doctor.jsonl").unlink()
    assert "no findings" in note(render_report(run, strict=True).html, "doctor")


def test_a_run_without_checkpoint_still_reports_its_files(mlp_run, tmp_path) -> None:
    run = tmp_path / "run"
    shutil.copytree(mlp_run, run)
    shutil.rmtree(run / "checkpoints")
    report = render_report(run, strict=True)
    assert report.failures == []
    assert "<dd>354</dd>" in section(report.html, "overview")
    assert svgs(section(report.html, "curves"))
    for key in ("confusion", "mistakes", "gradcam", "embedding"):
        assert "no checkpoint" in note(report.html, key)


def test_report_is_written_atomically(mlp_run, tmp_path) -> None:
    out = tmp_path / "reports" / "run.html"
    assert build_report(mlp_run, out, tsne=False) == out
    assert out.read_text().startswith("<!DOCTYPE html>")
    out.write_text("old report")
    with pytest.raises(RunError, match="no such run directory"):
        build_report(tmp_path / "missing", out)
    assert out.read_text() == "old report"  # a failed build leaves the old page alone
    assert [p.name for p in out.parent.iterdir()] == ["run.html"]  # no temporary file left


# ---------------------------------------------------------------- regression
def test_regression_run_explains_the_class_sections(regression_run) -> None:
    report = render_report(regression_run, strict=True)
    html = report.html
    assert report.failures == []
    for key in ("confusion", "per-class", "roc-pr", "mistakes"):
        assert "regression" in note(html, key), key
        assert "<svg" not in section(html, key)
    assert "R² per epoch" in section(html, "curves")
    r2 = summary(regression_run)["metrics"]["test"]["r2"]
    assert number(r2) in section(html, "metrics")
    assert len(svgs(section(html, "embedding"))) == 2


# ---------------------------------------------------------------- LeNet-5 / digits
@pytest.mark.slow
def test_lenet_report_has_gradcam_mistakes_and_a_full_confusion_matrix(lenet_run, lenet_page) -> None:
    from studio.inspection.attribution import propose_gradcam_target

    _, html = lenet_page
    assert_self_contained(html)
    run = open_run(lenet_run)
    n = len(run.split("test"))
    counts = confusion_counts(section(html, "confusion"))
    assert counts.size == 100 and counts.sum() == n
    accuracy = np.trace(counts.reshape(10, 10)) / n
    # One epoch: best = last, the weights the trainer scored the test split with.
    assert number(accuracy) == number(summary(lenet_run)["metrics"]["test"]["accuracy"])
    assert "ROC and PR curves are drawn for binary tasks" in note(html, "roc-pr")

    mistakes = section(html, "mistakes")
    shots = images(mistakes)
    assert 1 <= len(shots) <= 12 and all(im.size == (96, 96) for im in shots)
    assert mistakes.count('class="wrong"') == len(shots)

    gradcam = section(html, "gradcam")
    target = propose_gradcam_target(run.project.graph, run.registry)
    assert f"Layer <b>{target}</b>" in gradcam
    pictures = images(gradcam)
    assert len(pictures) == 2 * 8 + 1  # input + overlay per example, and the colour scale
    inputs, overlays = pictures[0:16:2], pictures[1:16:2]
    for plain, heat in zip(inputs, overlays, strict=True):
        a, b = np.asarray(plain.convert("RGB")), np.asarray(heat.convert("RGB"))
        assert a.shape == b.shape and (a[..., 0] == a[..., 2]).all()  # grey digit
        assert not (b[..., 0] == b[..., 2]).all()  # the heat colours are on it

    assert len(svgs(section(html, "embedding"))) == 2
    for image in images(html):
        assert image.format == "PNG"


# ---------------------------------------------------------------- SVG helpers
def test_svg_figures_escape_text_and_survive_odd_data() -> None:
    names = ["<cat>", "dog & co"]
    heat = svg.heatmap(np.array([[3, 1], [0, 4]]), np.array([[0.75, 0.25], [0, 1]]), names, names)
    root = ET.fromstring(heat)
    texts = [t.text for t in root.iter(f"{{{SVG_NS}}}text")]
    assert "<cat>" in texts and "dog & co" in texts and {"3", "1", "0", "4"} <= set(texts)
    one = svg.line_chart([svg.Series("val", [1], [0.5])], "epoch", "loss", integer_x=True)
    gap = svg.line_chart([svg.Series("val", [1, 2, 3], [0.5, float("nan"), 0.2])], "epoch", "loss")
    assert ET.fromstring(one).find(f"{{{SVG_NS}}}circle") is not None  # a lone point is visible
    assert len(ET.fromstring(gap).findall(f"{{{SVG_NS}}}polyline")) == 2  # NaN breaks the line
    flat = svg.scatter(np.zeros((6, 2)), np.zeros(6, dtype=int), ["all"])
    assert len(ET.fromstring(flat).findall(f"{{{SVG_NS}}}circle")) == 7


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert svg.nice_ticks(0, 1, 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert svg.nice_ticks(0.93, 2.31, 5) == [1.0, 1.5, 2.0]
    assert svg.nice_ticks(1, 1) == [1]
