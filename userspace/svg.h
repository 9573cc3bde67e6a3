/* SPDX-License-Identifier: GPL-2.0 */
/* svg.h - writing standalone SVG by hand: the document, shapes, and text escaped for XML. */
#ifndef TCPTRAIL_SVG_H
#define TCPTRAIL_SVG_H

#include <stdio.h>

/* The root element, a white background and a <title>; fonts are the viewer's generic ones. */
void tr_svg_begin(FILE *f, double w, double h, const char *title);
void tr_svg_end(FILE *f);
/*
 * @s as XML character data or an attribute value: markup characters as
 * entities; control bytes and invalid UTF-8 (a comm can hold anything) as '?'.
 */
void tr_svg_escape(FILE *f, const char *s);
/* <title>: what a viewer shows on hover, inside the element it follows. */
void tr_svg_title(FILE *f, const char *s);
/* @attrs: more attributes, written as they are (our own constants only). */
void tr_svg_text(FILE *f, double x, double y, const char *attrs, const char *s);
/* @title: NULL, or shown on hover. */
void tr_svg_rect(FILE *f, double x, double y, double w, double h, const char *attrs,
	      const char *title);
void tr_svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *attrs);

#endif
