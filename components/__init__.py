"""shop3d's ComponentResources (GlobalData, CellNetwork, RegionalCell, GlobalEdge) and the
small parts they share (naming, tags, IAM documents, buckets, packaging)."""
