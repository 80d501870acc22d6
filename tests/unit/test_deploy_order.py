"""Order of creation a real `pulumi up` depends on, which mocks never enforce: whatever uses a
role (its ARN, or an instance profile of it) is created after that role's policies, and the
master secret rotates only on schedule, after its value and the writer exist."""

from __future__ import annotations

from functools import cache

import pytest

from offline.runner import ProgramRun
from tests.unit.conftest import ProgramFactory

ROLE = "aws:iam/role:Role"
GRANTS = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicy:RolePolicy")
ROLE_WRAPPERS = (ROLE, "aws:iam/instanceProfile:InstanceProfile", *GRANTS)


def role_users_created_before_their_policies(run: ProgramRun) -> list[str]:
    by_urn = run.by_urn()

    @cache
    def closure(urn: str) -> frozenset[str]:
        direct = by_urn[urn].dependencies if urn in by_urn else ()
        found = set(direct)
        for dependency in direct:
            found |= closure(dependency)
        return frozenset(found)

    roles = [r.urn for r in run.resources if r.type_ == ROLE]
    grants = {
        role: [g.urn for g in run.resources if g.type_ in GRANTS and role in g.dependencies]
        for role in roles
    }
    profiles = {
        p.urn: [d for d in p.dependencies if d in grants]
        for p in run.resources
        if p.type_ == "aws:iam/instanceProfile:InstanceProfile"
    }
    problems = []
    for resource in run.resources:
        if resource.type_ in ROLE_WRAPPERS:
            continue
        before = closure(resource.urn)
        # The roles it takes directly: an ARN input, or an instance profile of the role.
        used = {d for d in resource.dependencies if d in grants}
        used |= {r for d in resource.dependencies for r in profiles.get(d, ())}
        for role in sorted(used):
            for grant in grants[role]:
                # A policy that names something created after this resource cannot precede it.
                if grant not in before and resource.urn not in closure(grant):
                    problems.append(
                        f"{resource.name} uses {by_urn[role].name} before {by_urn[grant].name}"
                    )
    return sorted(problems)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_nothing_uses_a_role_before_its_policies_exist(program: ProgramFactory, stack: str) -> None:
    assert role_users_created_before_their_policies(program(stack)) == []


def test_aurora_instances_wait_for_the_monitoring_policy(program: ProgramFactory) -> None:
    run = program("prod")
    attachment = run.named("data-aurora-monitoring-policy").urn
    instances = run.of_type("aws:rds/clusterInstance:ClusterInstance")
    assert instances and all(attachment in i.dependencies for i in instances)


def test_the_master_secret_rotates_on_schedule_after_its_value_and_writer(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    (rotation,) = run.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert rotation.inputs["rotateImmediately"] is False
    primary = run.outputs["primaryRegion"]
    value = run.named(f"data-{primary}-aurora-master-secret-value").urn
    writers = [
        i.urn for i in run.of_type("aws:rds/clusterInstance:ClusterInstance") if i.region == primary
    ]
    assert value in rotation.dependencies and set(writers) <= set(rotation.dependencies)
