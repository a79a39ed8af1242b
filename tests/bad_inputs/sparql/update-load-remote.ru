LOAD <@@LISTENER@@/data.ttl> INTO GRAPH <http://bad-inputs.test/g>
