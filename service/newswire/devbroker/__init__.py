"""The local development Kafka: a real Apache Kafka broker (KRaft) from Maven Central jars run
with the JDK on 127.0.0.1, as one node or a cluster of nodes. For `newswire broker`, the demo,
the tests and the chaos suite; never used by the service itself.

    common.py         the error, the status, process helpers
    jars.py           the jars, fetched with the pom.xml shipped in this package
    kraft.py          a node's properties and storage formatting
    node.py           one broker: start, status, stop
    layout.py         a cluster's folders, ports and properties
    cluster.py        a cluster: start, status, stop, remove
    cluster_nodes.py  one node of a cluster: status, launch, stop, SIGKILL, restart
    leaders.py        who leads a partition, and the controller quorum
    probe.py          three Kafka requests on a socket (ApiVersions, Metadata, DescribeQuorum)
    pki.py            a throwaway CA and PEM certificates for the secured broker
    secure.py         the single broker with SASL_SSL (SCRAM) and mutual-TLS listeners
"""

from newswire.devbroker.cluster import cluster_status, remove_cluster, start_cluster, stop_cluster
from newswire.devbroker.cluster_nodes import DEFAULT_CLUSTER_HEAP, kill_node, restart_node
from newswire.devbroker.common import DEFAULT_HOST, BrokerError, Status
from newswire.devbroker.jars import DEFAULT_POM, ensure_kafka_jars
from newswire.devbroker.layout import (
    CONTROLLER_PORT_OFFSET,
    ClusterStatus,
    cluster_properties,
    node_ports,
)
from newswire.devbroker.leaders import controller_leader, partition_leader, partitions
from newswire.devbroker.node import start, status, stop
from newswire.devbroker.pki import Pki, ensure_pki
from newswire.devbroker.secure import SecureBroker, base_port, exports, start_secure

__all__ = [
    "CONTROLLER_PORT_OFFSET",
    "DEFAULT_CLUSTER_HEAP",
    "DEFAULT_HOST",
    "DEFAULT_POM",
    "BrokerError",
    "ClusterStatus",
    "Pki",
    "SecureBroker",
    "Status",
    "base_port",
    "cluster_properties",
    "cluster_status",
    "controller_leader",
    "ensure_kafka_jars",
    "ensure_pki",
    "exports",
    "kill_node",
    "node_ports",
    "partition_leader",
    "partitions",
    "remove_cluster",
    "restart_node",
    "start",
    "start_cluster",
    "start_secure",
    "status",
    "stop",
    "stop_cluster",
]
