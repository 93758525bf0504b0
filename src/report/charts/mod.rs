//! Charts, generic over the plotters backend: the same function draws the PNG and the SVG.
