"""A user's own volume mesh (any format meshio reads) with its regions mapped onto eisfem's
roles, checked before anything is solved on it."""
