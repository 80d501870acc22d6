"""shop3d: read the stack config, build the data layer, stamp a cell per region, export."""

import pulumi

from components.global_data import GlobalData, GlobalDataArgs
from regions.config import load_config
from regions.providers import make_providers
from regions.stamp import stamp_cells, stamp_networks

config = load_config()
providers = make_providers(config)
networks = stamp_networks(config, providers)
data = GlobalData(
    "data",
    GlobalDataArgs(config=config, providers=providers.by_region, networks=networks),
    opts=providers.opts(config.primary.name),
)
cells = stamp_cells(config, providers, networks, data)

pulumi.export("primaryRegion", config.primary.name)
pulumi.export("regions", list(config.region_names))
pulumi.export("keyArns", data.key_arns)
pulumi.export("tableNames", data.table_names)
pulumi.export("tableArns", data.table_arns)
pulumi.export("bucketNames", data.bucket_names)
pulumi.export("databaseWriterEndpoint", data.database.writer_endpoint)
pulumi.export("vpcIds", {region: cell.vpc_id for region, cell in cells.items()})
