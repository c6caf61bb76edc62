package cap

import "strings"

// Areas are given in WGS 84 coordinates, each point as "latitude,longitude"
// in decimal degrees. CAP separates a polygon's points, and a circle's
// centre from its radius, by white space; difesa requires single spaces, so
// that each area has one spelling.

// polygon returns n's text if it is a closed polygon: at least four points,
// the first equal to the last.
func polygon(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	if reason := badPolygon(s); reason != "" {
		return "", errorf(CodeBadValue, "%s: %s", path, reason)
	}
	return s, nil
}

func badPolygon(s string) string {
	points := strings.Split(s, " ")
	if len(points) < 4 {
		return "a polygon has at least 4 points, separated by single spaces"
	}
	var first, last [2]float64
	for i, p := range points {
		pt, reason := parsePoint(p)
		if reason != "" {
			return reason
		}
		if i == 0 {
			first = pt
		}
		last = pt
	}
	if first != last {
		return "a polygon's last point must be its first"
	}
	return ""
}

// circle returns n's text if it is a circle: a point, a space and a radius
// in kilometres.
func circle(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	if reason := badCircle(s); reason != "" {
		return "", errorf(CodeBadValue, "%s: %s", path, reason)
	}
	return s, nil
}

func badCircle(s string) string {
	centre, radius, ok := strings.Cut(s, " ")
	if !ok {
		return "a circle is \"latitude,longitude radius\""
	}
	if _, reason := parsePoint(centre); reason != "" {
		return reason
	}
	if _, ok := parseDecimal(radius, false); !ok {
		return "radius " + excerpt(radius) + " is not a number of kilometres like 2.5"
	}
	return ""
}

// parsePoint parses "latitude,longitude".
func parsePoint(s string) ([2]float64, string) {
	latS, lonS, ok := strings.Cut(s, ",")
	lat, okLat := parseDecimal(latS, true)
	lon, okLon := parseDecimal(lonS, true)
	switch {
	case !ok || !okLat || !okLon:
		return [2]float64{}, "point " + excerpt(s) + " is not \"latitude,longitude\" in decimal degrees"
	case lat < -90 || lat > 90:
		return [2]float64{}, "latitude " + excerpt(latS) + " is outside -90 to 90"
	case lon < -180 || lon > 180:
		return [2]float64{}, "longitude " + excerpt(lonS) + " is outside -180 to 180"
	}
	return [2]float64{lat, lon}, ""
}
