"""The asset service: validate uploaded 3D models, build error-bounded LODs, publish a manifest.

No Pulumi imports here: the asset Lambda and the Batch job are packaged from the `asset`
dependency group alone.
"""
