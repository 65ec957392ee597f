"""Fleets: many clusters from one fleet file, upgraded wave by wave and gated on the mesh's own SLOs (docs/fleet.md).

One concept per module: `model` (the fleet file), `planner` (each cluster's steps to the target), `editor` (a
stack file one step further), `gate` (the SLO gate over Prometheus), `cli` (the `fleet` commands).
"""
