"""What `pip install` puts into site-packages: one top-level package,
`tinytasks`, with the statistics and the task configs inside it."""

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_the_wheel_installs_only_the_tinytasks_namespace(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("tinytasks-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"tinytasks"}
    assert "tinytasks/estimators/tiny_estimator.py" in names
    assert "tinytasks/task_configs/tiny_mmlu/params.json" in names
    assert "tinytasks/task_configs/_tiny_template" in names
