LOAD <file:///etc/passwd> INTO GRAPH <http://bad-inputs.test/g>
