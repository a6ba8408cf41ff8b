/**
 * The HTML5 drag and drop contract between the palette and the canvas: the palette puts the node type under this
 * media type; the canvas accepts drags that carry it (and only those, so dropping a file or text does nothing).
 */
export const NODE_TYPE_MEDIA_TYPE = 'application/x-thingwire-node-type';
