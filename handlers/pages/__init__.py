"""Server-rendered product pages: the web tier's job (and the local platform's `/`)."""
