"""Read models: plain frozen dataclasses that services fill and blocks render, one module per capability.

Views sit below both services and blocks and import nothing but the domain, so neither needs the other's
module to name what a person sees.
"""
