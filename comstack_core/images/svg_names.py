"""The SVG elements and attributes a stored drawing may contain (everything else is dropped), and the
elements that get an upload refused outright."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Elements that run code, embed other documents or break out of SVG into HTML.
FORBIDDEN_ELEMENTS = _words("script foreignObject handler listener iframe embed object frame frameset")

ELEMENTS = _words(
    """
    svg g defs symbol use title desc switch a path rect circle ellipse line polyline polygon text tspan
    textPath marker linearGradient radialGradient stop pattern clipPath mask filter style
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur
    feImage feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile
    feTurbulence animate animateMotion animateTransform set mpath
    """
)

ATTRIBUTES = _words(
    """
    id class style lang role aria-label aria-hidden aria-labelledby aria-describedby
    x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points pathLength transform viewBox
    preserveAspectRatio dx dy rotate textLength lengthAdjust startOffset method spacing side
    refX refY markerWidth markerHeight markerUnits orient patternUnits patternContentUnits patternTransform
    gradientUnits gradientTransform spreadMethod offset clipPathUnits maskUnits maskContentUnits
    filterUnits primitiveUnits systemLanguage
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset stroke-opacity opacity color clip-path clip-rule mask filter
    marker-start marker-mid marker-end stop-color stop-opacity font-family font-size font-size-adjust
    font-stretch font-style font-variant font-weight text-anchor text-decoration dominant-baseline
    alignment-baseline baseline-shift letter-spacing word-spacing writing-mode direction unicode-bidi
    display visibility overflow flood-color flood-opacity lighting-color color-interpolation
    color-interpolation-filters color-rendering shape-rendering text-rendering image-rendering
    vector-effect paint-order mix-blend-mode isolation transform-origin white-space
    in in2 result stdDeviation mode type values tableValues slope intercept amplitude exponent operator
    k1 k2 k3 k4 order kernelMatrix divisor bias targetX targetY edgeMode preserveAlpha surfaceScale
    diffuseConstant specularConstant specularExponent kernelUnitLength scale xChannelSelector
    yChannelSelector azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle baseFrequency
    numOctaves seed stitchTiles radius z
    attributeName attributeType begin dur end min max restart repeatCount repeatDur calcMode keyTimes
    keySplines from to by additive accumulate path keyPoints
    """
)
