"""Deploy migrated pipelines onto a Flink cluster, in dependency order (``shiftleft deploy``).

* :mod:`~shiftleft.deploy.pipelines` reads the ``pipelines/`` folder ``shiftleft migrate``
  writes, orders it (parents first) and selects tables as dbt does (``+name``, ``name+``).
* :mod:`~shiftleft.deploy.deployers` submits statements: PyFlink against a cluster's REST
  endpoint, the SQL Gateway REST API, or Confluent Cloud statement requests.
* :mod:`~shiftleft.deploy.engine` runs a deploy plan, records it in a state file, resumes.
* :mod:`~shiftleft.deploy.cluster` starts a local standalone cluster from the apache-flink wheel.
"""

from shiftleft.deploy.engine import DeployOptions, DeployReport, deploy, plan_deploy
from shiftleft.deploy.pipelines import Pipelines, TableSpec, load_pipelines

__all__ = [
    "DeployOptions",
    "DeployReport",
    "Pipelines",
    "TableSpec",
    "deploy",
    "load_pipelines",
    "plan_deploy",
]
