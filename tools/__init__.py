"""Hand-written project tools that sit on top of the spec and the generated package (``make compat``)."""
